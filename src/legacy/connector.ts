/**
 * What the IdP needs from a legacy system, whatever it is (HTTP API, SQL database, directory, custom module).
 * Every answer is a value; a connector throws only for its own bugs.
 */

/** The legacy system's own record of a user, in its own shape; the migration mapping turns it into an account. */
export type LegacyProfile = Readonly<Record<string, unknown>>;

export type AuthenticateOutcome =
  | { kind: 'valid'; profile: LegacyProfile }
  /** Unknown login or wrong password: deliberately not told apart. */
  | { kind: 'invalid' }
  /** The legacy account exists but may not sign in (disabled, locked). */
  | { kind: 'disabled' }
  /** Down, slow, or answering garbage: the caller fails closed. `cause` is for operators, never for users. */
  | { kind: 'unavailable'; cause: string };

export type FindUserOutcome =
  { kind: 'found'; profile: LegacyProfile } | { kind: 'not-found' } | { kind: 'unavailable'; cause: string };

export interface LegacyConnector {
  /** Names the legacy system on every account migrated from it. */
  readonly source: string;
  /** `login` is what the user typed, trimmed; `password` exactly as typed. */
  authenticate(login: string, password: string): Promise<AuthenticateOutcome>;
  findUser(login: string): Promise<FindUserOutcome>;
  close(): Promise<void>;
}
