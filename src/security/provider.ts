import type { App } from '../app.ts';
import type { AuthProvider } from '../api/auth.ts';

/**
 * Builds the API's AuthProvider from the users and roles in the state store. Until the security module
 * (users, roles, tokens, audit) is wired, no provider exists and every protected route answers 401.
 */
export async function createAuthProvider(_app: App): Promise<AuthProvider | null> {
  return null;
}
