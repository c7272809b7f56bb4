/** Minimal types for the `socksv5` test dependency (it ships none). */
declare module 'socksv5' {
  import type { Server as NetServer } from 'node:net';
  import type { EventEmitter } from 'node:events';

  export interface ConnectionInfo {
    cmd: string;
    srcAddr: string;
    srcPort: number;
    dstAddr: string;
    dstPort: number;
  }
  export interface AuthHandler {
    METHOD: number;
  }
  export interface Server extends EventEmitter {
    _srv: NetServer;
    listen(port: number, host: string, cb?: () => void): Server;
    address(): { port: number; address: string };
    close(cb?: () => void): Server;
    useAuth(auth: AuthHandler): Server;
  }
  export function createServer(listener: (info: ConnectionInfo, accept: () => void, deny: () => void) => void): Server;
  export const auth: {
    None(): AuthHandler;
    UserPassword(check: (user: string, password: string, cb: (ok: boolean) => void) => void): AuthHandler;
  };
}
