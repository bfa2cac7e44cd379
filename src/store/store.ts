import type { Account, AccountOrigin, StoredPassword } from '../accounts/account.js';
import type { EventQuery, IdpEvent, StoredEvent } from '../events/event.js';

/**
 * The storage interfaces, one per concept. `embedded/` (SQLite) and `mongo/` (MongoDB) implement all of them and
 * pass the same contract suite (`test/store/store-contract.ts`). Uniqueness is enforced by each store's own unique
 * indexes, never by reading first.
 */

export type AccountField = 'id' | 'username' | 'email' | 'legacyId';

export type InsertAccountResult = { kind: 'inserted'; account: Account } | { kind: 'conflict'; field: AccountField };

export interface AccountSearch {
  /**
   * What an operator typed. Exact matches come first: a username or email (normalised), an account id, or a legacy
   * id as the console shows it, `source:id`, or the id alone; then username and email prefix matches, by username
   * and by email. Empty: every account, newest first.
   */
  text?: string;
  origin?: AccountOrigin;
  /** Accounts per page: 50 unless asked, at most 500. */
  limit?: number;
  /** Where the previous page ended (its `next`); opaque. */
  cursor?: string;
}

export interface AccountPage {
  accounts: Account[];
  /** How many accounts match in all, on every page. */
  total: number;
  /** The cursor of the next page; absent on the last one. */
  next?: string;
}

export interface LoginChange {
  username?: string;
  email?: string;
  emailVerified?: boolean;
  updatedAt: Date;
  /** Apply only if the account is still as it was read (its `updatedAt`): a concurrent change wins. */
  ifUpdatedAt: Date;
}

export type AccountNames = Pick<Account, 'name' | 'givenName' | 'familyName'>;

export type UpdateLoginsResult =
  | { kind: 'updated'; account: Account }
  | { kind: 'not-found' }
  /** The account changed since it was read; nothing was written. */
  | { kind: 'stale' }
  | { kind: 'conflict'; field: AccountField };

export interface AccountStore {
  findById(id: string): Promise<Account | undefined>;
  /** By normalised username or normalised email (see `normaliseLogin`). */
  findByLogin(normalisedLogin: string): Promise<Account | undefined>;
  findByLegacyId(source: string, legacyId: string): Promise<Account | undefined>;
  /** Atomic: either the whole account is stored or, on a unique-index collision, nothing is. */
  insert(account: Account): Promise<InsertAccountResult>;
  /** Each account accepted or refused on its own, as `insert` would; one round trip / transaction per batch. */
  insertMany(accounts: readonly Account[]): Promise<InsertAccountResult[]>;
  /**
   * After many `insertMany` batches (an import): brings what the database keeps about the table up to date at once
   * instead of when its background maintenance gets to it. PostgreSQL: `VACUUM (ANALYZE)`, so the console's prefix
   * counts read the index alone (right after a 1,000,000-row import they read the table too: p95 146 ms, not 20).
   * Stores with nothing to do leave it out.
   */
  settleAfterBulkInsert?(): Promise<void>;
  /** Changes the username and/or email (and its verified flag); a collision or a stale read changes nothing. */
  updateLogins(id: string, change: LoginChange): Promise<UpdateLoginsResult>;
  /**
   * Replaces the stored password; false when there is no such account, or (with `ifHash`) when the stored hash is no
   * longer that one (a reset got there first).
   */
  updatePassword(id: string, password: StoredPassword, updatedAt: Date, ifHash?: string): Promise<boolean>;
  countByOrigin(): Promise<Record<AccountOrigin, number>>;
  /** Accounts carrying a legacy reference to this source (migrated or imported from it). */
  countFromSource(source: string): Promise<number>;
  /** Of these legacy ids of `source`, the ones an account carries; one query per batch (a pre-flight scan's page). */
  existingLegacyIds(source: string, legacyIds: readonly string[]): Promise<Set<string>>;
  /** Of these normalised logins, the ones an account holds as username or email; one query per batch. */
  takenLogins(normalisedLogins: readonly string[]): Promise<Set<string>>;
  /** A page of the accounts an operator looks for (see `AccountSearch`), with their total; p95 < 50 ms at 10^6. */
  search(query: AccountSearch): Promise<AccountPage>;
  /**
   * Replaces the account's names (the user's own profile page); an absent name is removed. False when there is no
   * such account. The last change wins: names decide nothing about signing in.
   */
  updateNames(id: string, names: AccountNames, updatedAt: Date): Promise<boolean>;
  /** Lets the account sign in or not (an operator's switch); false when there is no such account. */
  setDisabled(id: string, disabled: boolean, updatedAt: Date): Promise<boolean>;
  /**
   * Notes that the user declined the passkey offered after sign-in, for good (a preference, not a change of the
   * account's data: `updatedAt` stays); false when there is no such account.
   */
  declinePasskeyOffer(id: string, at: Date): Promise<boolean>;
  /** Removes the account for good; false when there was none. */
  delete(id: string): Promise<boolean>;
}

/** oidc-provider's artifacts (sessions, grants, codes, tokens, interactions …), stored as opaque JSON with an expiry. */
export type ArtifactPayload = Record<string, unknown>;

export interface ArtifactStore {
  upsert(model: string, id: string, payload: ArtifactPayload, expiresInSeconds: number | undefined): Promise<void>;
  /** Expired artifacts are never returned; a consumed one carries `consumed` (epoch seconds). */
  find(model: string, id: string): Promise<ArtifactPayload | undefined>;
  findByUid(model: string, uid: string): Promise<ArtifactPayload | undefined>;
  findByUserCode(model: string, userCode: string): Promise<ArtifactPayload | undefined>;
  consume(model: string, id: string): Promise<void>;
  /** Removes a live artifact and returns it, atomically: of concurrent takers exactly one gets it (single use). */
  take(model: string, id: string): Promise<ArtifactPayload | undefined>;
  destroy(model: string, id: string): Promise<void>;
  /** Removes every artifact of every model issued under the grant. */
  revokeByGrantId(grantId: string): Promise<void>;
  /** The live artifacts of one model that belong to an account (its grants, say): payloads with `accountId`. */
  findByAccount(model: string, accountId: string): Promise<ArtifactPayload[]>;
  /** Removes every artifact of every model that belongs to the account: its sessions, grants and tokens. */
  revokeByAccount(accountId: string): Promise<void>;
}

export interface EventStore {
  append(event: IdpEvent): Promise<StoredEvent>;
  /** Newest first. */
  list(query?: EventQuery): Promise<StoredEvent[]>;
  /**
   * Erasure of a deleted account (GDPR): its events keep their type, time and account id, but lose the personal data
   * they carried (the `login` a user typed or was known by). Returns how many events changed.
   */
  eraseAccount(accountId: string): Promise<number>;
}

/**
 * What is left of an erased account's legacy link: a keyed hash of (legacy source, legacy id), never the id itself.
 * Migration, import and password-reset adoption look here before they create an account from a legacy user, so an
 * erased user is not migrated again by accident (a sign-in with the legacy password they still have).
 */
export interface TombstoneStore {
  /** Idempotent: adding a mark that is there keeps its first time. */
  add(mark: string, at: Date): Promise<void>;
  /** Of these marks, the ones stored; one query per batch (an import's page). */
  existing(marks: readonly string[]): Promise<Set<string>>;
  /** Lifts a tombstone (an operator lets the user migrate again); false when there was none. */
  remove(mark: string): Promise<boolean>;
  count(): Promise<number>;
}

/** Values shared by every process on the store: signing keys, cookie keys. */
export interface SecretStore {
  /**
   * The stored value for `name`; if there is none, `create()` is stored first. Processes racing on the first start
   * all get the one value that won.
   */
  getOrCreate<T>(name: string, create: () => T): Promise<T>;
  /** The stored value for `name`, if there is one (nothing is created). */
  find<T>(name: string): Promise<T | undefined>;
  /** Removes the value for `name` (a secret moved elsewhere, sealed); nothing when there is none. */
  remove(name: string): Promise<void>;
  /** Stores `value` for `name`, replacing any (the same secret sealed anew under a newer key). */
  put(name: string, value: unknown): Promise<void>;
}

export interface WebhookDelivery {
  id: string;
  webhook: string;
  eventId: string;
  /** The JSON body to send, exactly as signed. */
  payload: string;
  attempts: number;
}

/**
 * Webhook deliveries waiting to be sent, shared by every process: claiming one leases it for a while, so two
 * processes never send the same delivery at the same time; a lease that runs out (a process died) makes it due again.
 */
export interface WebhookStore {
  /** Idempotent per (webhook, event). */
  enqueue(deliveries: readonly { webhook: string; eventId: string; payload: string }[]): Promise<void>;
  claimDue(limit: number, leaseMs: number): Promise<WebhookDelivery[]>;
  delivered(id: string): Promise<void>;
  /** Due again at `nextAttemptAt`, or never (`dead`) when the attempts are used up. */
  failed(id: string, error: string, nextAttemptAt: Date | 'dead'): Promise<void>;
  counts(): Promise<{ pending: number; delivered: number; dead: number }>;
}

/** Counts in fixed windows, shared by every process (rate limits); old windows expire by themselves. */
export interface CounterStore {
  /** Adds one to `key`'s window starting at `windowStart` and returns that window's count and the one before it. */
  hit(key: string, windowStart: number, windowMs: number): Promise<WindowCounts>;
  /** The same counts, without adding. */
  peek(key: string, windowStart: number, windowMs: number): Promise<WindowCounts>;
  /** Forgets every window of `key`. */
  clear(key: string): Promise<void>;
}

export interface WindowCounts {
  current: number;
  previous: number;
}

/**
 * Short exclusive leases shared by every process: one holder at a time per name (one legacy check per login, say).
 * A holder that dies loses its lease when the lease expires; nothing else ever waits for it longer.
 */
export interface LeaseStore {
  /** Takes the lease when it is free or has expired; false while another holder has it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease its holder still has by `ttlMs` from now; false when it has lost it (it expired, another took it). */
  renew(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease back, if it is still this holder's. */
  release(name: string, holder: string): Promise<void>;
}

/** Small mutable settings shared by every process (the legacy cut-off, for one). */
export interface SettingsStore {
  get<T>(name: string): Promise<T | undefined>;
  set(name: string, value: unknown): Promise<void>;
}

/** The second factors an account can have. A recovery code is one factor each: each is used once. */
export type FactorKind = 'totp' | 'recovery-code' | 'passkey';

export interface Factor {
  /** The factor's own id (random), what the pages and events name. */
  id: string;
  accountId: string;
  kind: FactorKind;
  /** A passkey's WebAuthn credential id (base64url), unique across all accounts; absent for the other kinds. */
  credentialId?: string | undefined;
  /**
   * What verifying the factor needs, as JSON: a TOTP's sealed secret (never the secret in clear), a recovery code's
   * hash, a passkey's public key and transports. The store keeps it opaque.
   */
  data: Record<string, unknown>;
  /**
   * How far the factor has been used, for replay protection: a TOTP's last accepted time step, a passkey's signature
   * counter, 1 once a recovery code is used. Only ever moves forward (see `FactorStore.advance`).
   */
  mark: number;
  /** A name the user gave it ("my phone"), shown on the account pages. */
  label?: string | undefined;
  createdAt: Date;
  lastUsedAt?: Date | undefined;
}

export interface FactorStore {
  listByAccount(accountId: string): Promise<Factor[]>;
  /** A passkey by its WebAuthn credential id (a sign-in with a passkey alone starts from it). */
  findByCredentialId(credentialId: string): Promise<Factor | undefined>;
  /**
   * Stores `factors` (all of one account) in one transaction; with `replacing`, the account's factors of that kind
   * go in the same transaction (a new TOTP replaces the old one, new recovery codes the unused old ones). A credential
   * id another factor holds: nothing is stored, and the result says so.
   */
  add(factors: readonly Factor[], replacing?: FactorKind): Promise<{ kind: 'added' } | { kind: 'conflict' }>;
  /**
   * Moves the factor's mark to `mark` and its last use to `at`, atomically, only if the stored mark is below `mark`
   * (a code of a time step already used, a used recovery code, a passkey counter that went back: false, nothing
   * written). Of concurrent callers with the same mark, exactly one gets true.
   */
  advance(id: string, mark: number, at: Date): Promise<boolean>;
  /** Notes a use that has no mark to move (a passkey whose authenticator keeps no counter: its mark stays 0). */
  touch(id: string, at: Date): Promise<void>;
  /**
   * Replaces the factor's `data` (a TOTP secret sealed anew under the current key, after a key rotation); its mark
   * and uses stay as they are. False when there is no such factor.
   */
  replaceData(id: string, data: Record<string, unknown>): Promise<boolean>;
  /** Removes these factors of the account (all of them without `ids`); returns how many went. */
  remove(accountId: string, ids?: readonly string[]): Promise<number>;
  /** How many accounts have at least one factor of each kind (a recovery code counts only while unused). */
  countAccountsByKind(): Promise<Record<FactorKind, number>>;
}

export interface Store {
  readonly kind: 'embedded' | 'mongodb' | 'postgres';
  readonly accounts: AccountStore;
  readonly factors: FactorStore;
  readonly artifacts: ArtifactStore;
  readonly events: EventStore;
  readonly secrets: SecretStore;
  readonly settings: SettingsStore;
  readonly webhooks: WebhookStore;
  readonly counters: CounterStore;
  readonly leases: LeaseStore;
  readonly tombstones: TombstoneStore;
  /** True when the store answers; for readiness checks. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
