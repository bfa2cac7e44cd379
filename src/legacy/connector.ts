import type { LegacyHashOptions } from '../passwords/legacy/legacy-hash.js';

/**
 * What the IdP needs from a legacy system, whatever it is (HTTP API, SQL database, directory, custom module).
 * Every answer is a value; a connector throws only for its own bugs (and the resilience layer turns even those
 * into "unavailable").
 */

/** The legacy system's own record of a user, in its own shape; the migration mapping turns it into an account. */
export type LegacyProfile = Readonly<Record<string, unknown>>;

/** Why a password could not be judged: `unsupported_hash` (the stored hash) or `ambiguous_login` (several records). */
export type UnjudgeableReason = 'unsupported_hash' | 'ambiguous_login';

export type AuthenticateOutcome =
  | { kind: 'valid'; profile: LegacyProfile }
  /** Unknown login or wrong password: deliberately not told apart. */
  | { kind: 'invalid' }
  /** The legacy account exists but may not sign in (disabled, locked, expired). */
  | { kind: 'disabled' }
  /**
   * The password could not be judged: the record's stored hash is of an unsupported or malformed scheme, or several
   * records answer to the login and none or more than one of them takes the password. Told to the user exactly as
   * a wrong password (nothing confirmed the login exists); the operator sees why. `legacyId` names the one record
   * concerned, when there is one.
   */
  | { kind: 'unjudgeable'; reason: UnjudgeableReason; cause: string; legacyId?: string }
  /** The password is right but the record cannot become an account (no stable id, an unreadable disabled flag). */
  | { kind: 'unusable'; cause: string }
  /** Down, slow, or answering garbage: the caller fails closed. `cause` is for operators, never for users. */
  | { kind: 'unavailable'; cause: string };

export type FindUserOutcome =
  /**
   * `disabled`: whether the legacy system says the account may not sign in; undefined when this connector cannot
   * tell without a password (then nothing but a sign-in may create the account).
   */
  | { kind: 'found'; profile: LegacyProfile; disabled?: boolean }
  | { kind: 'not-found' }
  | { kind: 'unavailable'; cause: string };

export type WriteBackOutcome = { kind: 'done' } | { kind: 'failed'; cause: string };

/** A legacy user as a bulk import reads it: the profile, and the stored hash where the legacy system gives it. */
export interface LegacyUserRecord {
  profile: LegacyProfile;
  /** Whether the legacy system marks the account disabled; undefined when the source cannot tell. */
  disabled?: boolean;
  password?: { hash: string; options: LegacyHashOptions; salt?: string | undefined };
  /** Why the source's stored hash for this record cannot be read (no hash in the row, a salt of no known type). */
  passwordProblem?: string;
}

/** One page of an enumeration, and where to resume after it (kept in the import's checkpoint). */
export interface LegacyUserPage {
  records: LegacyUserRecord[];
  resumeFrom: string;
}

/** Passed to every call: aborted when the call's time is up, so the connector can stop its work. */
export interface CallContext {
  signal: AbortSignal;
}

export interface LegacyConnector {
  /** Names the legacy system on every account migrated from it. */
  readonly source: string;
  /**
   * Who judges a password at a first sign-in: the IdP, against the hash the connector reads (`stored-hash`: SQL),
   * or the legacy system itself (`legacy-system`: its HTTP API, an LDAP bind, a module). A pre-flight scan predicts
   * first sign-ins from stored hashes only in the first case.
   */
  readonly passwordJudge: 'stored-hash' | 'legacy-system';
  /** How many users an enumeration will list, when the source can say cheaply (a progress bar's total). */
  countUsers?(signal: AbortSignal): Promise<number | undefined>;
  /** `login` is what the user typed, trimmed; `password` exactly as typed. Never retried by the caller. */
  authenticate(login: string, password: string, context: CallContext): Promise<AuthenticateOutcome>;
  findUser(login: string, context: CallContext): Promise<FindUserOutcome>;
  /**
   * Every legacy user, page by page, from a resume point a previous run returned (bulk import of the stragglers).
   * Optional: a connector that cannot enumerate (a module without it) cannot be the source of an import.
   */
  enumerateUsers?(resumeFrom: string | undefined, signal: AbortSignal): AsyncIterable<LegacyUserPage>;
  /** Tells the legacy system a user has moved (e.g. marks the row); optional, and its failure never fails a sign-in. */
  afterMigration?(legacyId: string, context: CallContext): Promise<WriteBackOutcome>;
  close(): Promise<void>;
}
