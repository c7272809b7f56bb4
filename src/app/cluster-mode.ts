/**
 * Several daemons sharing the watches through the cluster backend: this daemon's membership (heartbeat
 * documents) and, from the live members, which watches it owns (rendezvous hashing of the watch key
 * over the live daemons' names). Every daemon computes the same owners from the same membership; while
 * views differ (a heartbeat not yet seen, a paused process) two daemons may both schedule a watch, and
 * the run claim in the state store keeps each scheduled time to one run.
 */
import { Membership, type Member, type MembershipOptions } from '../state/cluster/membership.ts';
import { Rendezvous } from '../schedule/ownership.ts';
import type { Ownership } from '../runtime/service.ts';

/** The membership's options (its heartbeat's stats are cluster mode's own), and what it adds. */
export interface ClusterModeOptions extends Omit<MembershipOptions, 'stats'> {
  /** Hears the watches this daemon just gained (their earlier deliveries are another daemon's). */
  adopt?: (keys: ReadonlySet<string>) => void;
}

export class ClusterMode implements Ownership {
  readonly membership: Membership;
  readonly node: string;
  #rv = new Rendezvous([]);
  #rvOf: readonly string[] | null = null;
  #stats: () => Record<string, unknown> = () => ({});
  readonly #adopt: ((keys: ReadonlySet<string>) => void) | undefined;

  constructor(o: ClusterModeOptions) {
    this.node = o.node;
    this.#adopt = o.adopt;
    this.membership = new Membership({ ...o, stats: () => this.#stats() });
  }

  /** What the heartbeat reports of this daemon (set once the parts it reads are built). */
  reportStats(fn: () => Record<string, unknown>): void {
    this.#stats = fn;
  }

  owns(key: string): boolean {
    const live = this.membership.live();
    if (live !== this.#rvOf) {
      this.#rv = new Rendezvous(live);
      this.#rvOf = live;
    }
    return this.#rv.owner(key) === this.node;
  }

  gained(keys: ReadonlySet<string>): void {
    this.#adopt?.(keys);
  }

  onChange(fn: () => void): void {
    this.membership.onChange(() => fn());
  }

  /** The live daemons' names (this one only while its lease holds). */
  live(): readonly string[] {
    return this.membership.live();
  }

  members(): Member[] {
    return this.membership.members();
  }

  /** Reads who is live, counting this daemon in, without announcing it (see Membership.observe). */
  observe(): Promise<void> {
    return this.membership.observe();
  }

  start(): Promise<void> {
    return this.membership.start();
  }

  /** Stops heartbeating and removes this daemon's heartbeat: the others take its watches at once. */
  stop(): Promise<void> {
    return this.membership.stop();
  }
}
