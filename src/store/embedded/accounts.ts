import type { Database, Statement, Transaction } from 'better-sqlite3';
import { normaliseLogin, type Account, type AccountOrigin, type StoredPassword } from '../../accounts/account.js';
import { runSearch } from '../account-search.js';
import { passwordColumns } from '../sql-rows.js';
import { rowToAccount, type AccountRow } from './account-rows.js';
import { SqliteAccountSearch } from './account-search.js';
import type {
  AccountNames,
  AccountField,
  AccountPage,
  AccountSearch,
  AccountStore,
  InsertAccountResult,
  LoginChange,
  UpdateLoginsResult,
} from '../store.js';

const UNIQUE_COLUMNS: Record<string, AccountField> = {
  'accounts.id': 'id',
  'accounts.username_norm': 'username',
  'accounts.email_norm': 'email',
  'accounts.legacy_source': 'legacyId',
};

export class SqliteAccountStore implements AccountStore {
  readonly #byId: Statement<[string], AccountRow>;
  readonly #byLogin: Statement<[string, string], AccountRow>;
  readonly #byLegacyId: Statement<[string, string], AccountRow>;
  readonly #insert: Statement<Record<string, unknown>>;
  readonly #updateLogins: Statement<Record<string, unknown>>;
  readonly #updatePassword: Statement<Record<string, unknown>>;
  readonly #countByOrigin: Statement<[], { origin: string; count: number }>;
  readonly #countFromSource: Statement<[string], { count: number }>;
  readonly #existingLegacyIds: Statement<[string, string], { id: string }>;
  readonly #takenLogins: Statement<[string], { login: string }>;
  readonly #setDisabled: Statement<[number, number, string]>;
  readonly #updateNames: Statement<[string | null, string | null, string | null, number, string]>;
  readonly #declinePasskeyOffer: Statement<[number, string]>;
  readonly #delete: Statement<[string], { origin: string }>;
  readonly #addToCount: Statement<[string, number]>;
  readonly #search: SqliteAccountSearch;
  readonly #insertOneCounted: Transaction<(account: Account) => InsertAccountResult>;
  readonly #insertCounted: Transaction<(accounts: readonly Account[]) => InsertAccountResult[]>;
  readonly #deleteCounted: Transaction<(id: string) => boolean>;

  /** Removes an account's factors inside the delete's transaction, keeping their counts (SqliteFactorStore). */
  readonly #removeFactors: (accountId: string) => void;

  constructor(db: Database, removeFactors: (accountId: string) => void) {
    this.#removeFactors = removeFactors;
    this.#byId = db.prepare('SELECT * FROM accounts WHERE id = ?');
    // Usernames cannot contain "@", so at most one of the two can match a given login.
    this.#byLogin = db.prepare('SELECT * FROM accounts WHERE username_norm = ? OR email_norm = ? LIMIT 1');
    this.#byLegacyId = db.prepare('SELECT * FROM accounts WHERE legacy_source = ? AND legacy_id = ?');
    this.#insert = db.prepare(`
      INSERT INTO accounts (id, username, username_norm, email, email_norm, email_verified, name, given_name,
        family_name, roles, origin, legacy_source, legacy_id, migrated_at, password_kind, password_hash,
        password_legacy, disabled, passkey_offer_declined_at, created_at, updated_at)
      VALUES (@id, @username, @username_norm, @email, @email_norm, @email_verified, @name, @given_name,
        @family_name, @roles, @origin, @legacy_source, @legacy_id, @migrated_at, @password_kind, @password_hash,
        @password_legacy, @disabled, @passkey_offer_declined_at, @created_at, @updated_at)`);
    // NULL parameters keep the current value: one statement serves every combination of changes.
    this.#updateLogins = db.prepare(`
      UPDATE accounts SET
        username = coalesce(@username, username), username_norm = coalesce(@username_norm, username_norm),
        email = coalesce(@email, email), email_norm = coalesce(@email_norm, email_norm),
        email_verified = coalesce(@email_verified, email_verified), updated_at = @updated_at
      WHERE id = @id AND updated_at = @if_updated_at`);
    this.#updatePassword = db.prepare(`
      UPDATE accounts SET password_kind = @password_kind, password_hash = @password_hash,
        password_legacy = @password_legacy, updated_at = @updated_at
      WHERE id = @id AND (@if_hash IS NULL OR password_hash = @if_hash)`);
    // Kept by this store's inserts and deletes, in their own transactions (schema migration 7): one row per origin.
    this.#countByOrigin = db.prepare('SELECT origin, n AS count FROM account_counts');
    this.#countFromSource = db.prepare('SELECT count(*) AS count FROM accounts WHERE legacy_source = ?');
    // A JSON array parameter: one prepared statement whatever the batch size, each value an index look-up.
    this.#existingLegacyIds = db.prepare(
      'SELECT legacy_id AS id FROM accounts WHERE legacy_source = ? AND legacy_id IN (SELECT value FROM json_each(?))',
    );
    this.#takenLogins = db.prepare(`
      WITH wanted(login) AS (SELECT value FROM json_each(?))
      SELECT login FROM wanted
      WHERE EXISTS (SELECT 1 FROM accounts WHERE username_norm = login)
         OR EXISTS (SELECT 1 FROM accounts WHERE email_norm = login)`);
    this.#setDisabled = db.prepare('UPDATE accounts SET disabled = ?, updated_at = ? WHERE id = ?');
    this.#updateNames = db.prepare(
      'UPDATE accounts SET name = ?, given_name = ?, family_name = ?, updated_at = ? WHERE id = ?',
    );
    this.#declinePasskeyOffer = db.prepare('UPDATE accounts SET passkey_offer_declined_at = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM accounts WHERE id = ? RETURNING origin');
    this.#addToCount = db.prepare(`
      INSERT INTO account_counts (origin, n) VALUES (?, ?) ON CONFLICT (origin) DO UPDATE SET n = n + excluded.n`);
    this.#search = new SqliteAccountSearch(db);
    // An account and its origin's count (account_counts) change in one transaction.
    this.#insertOneCounted = db.transaction((account: Account) => {
      const result = this.#insertOne(account);
      if (result.kind === 'inserted') this.#addToCount.run(account.origin, 1);
      return result;
    });
    // Each account inserted on its own, and the stored ones counted by origin, in one transaction.
    this.#insertCounted = db.transaction((accounts: readonly Account[]) => {
      const stored = new Map<AccountOrigin, number>();
      const results = accounts.map((account) => {
        const result = this.#insertOne(account);
        if (result.kind === 'inserted') stored.set(account.origin, (stored.get(account.origin) ?? 0) + 1);
        return result;
      });
      for (const [origin, n] of stored) this.#addToCount.run(origin, n);
      return results;
    });
    // The account, its origin's count and its second factors (src/store/embedded/factors.ts) go in one transaction.
    this.#deleteCounted = db.transaction((id: string) => {
      const row = this.#delete.get(id);
      this.#removeFactors(id);
      if (row) this.#addToCount.run(row.origin, -1);
      return row !== undefined;
    });
  }

  findById(id: string): Promise<Account | undefined> {
    return Promise.resolve(toAccount(this.#byId.get(id)));
  }

  findByLogin(normalisedLogin: string): Promise<Account | undefined> {
    return Promise.resolve(toAccount(this.#byLogin.get(normalisedLogin, normalisedLogin)));
  }

  findByLegacyId(source: string, legacyId: string): Promise<Account | undefined> {
    return Promise.resolve(toAccount(this.#byLegacyId.get(source, legacyId)));
  }

  insert(account: Account): Promise<InsertAccountResult> {
    return Promise.resolve(this.#insertOneCounted(account));
  }

  insertMany(accounts: readonly Account[]): Promise<InsertAccountResult[]> {
    // One transaction for the batch (one fsync), each row still accepted or refused on its own.
    return Promise.resolve(this.#insertCounted.immediate(accounts));
  }

  updateLogins(id: string, change: LoginChange): Promise<UpdateLoginsResult> {
    try {
      const { changes } = this.#updateLogins.run({
        id,
        username: change.username ?? null,
        username_norm: change.username === undefined ? null : normaliseLogin(change.username),
        email: change.email ?? null,
        email_norm: change.email === undefined ? null : normaliseLogin(change.email),
        email_verified: change.emailVerified === undefined ? null : change.emailVerified ? 1 : 0,
        updated_at: change.updatedAt.getTime(),
        if_updated_at: change.ifUpdatedAt.getTime(),
      });
      const account = toAccount(this.#byId.get(id));
      if (!account) return Promise.resolve({ kind: 'not-found' });
      return Promise.resolve(changes === 0 ? { kind: 'stale' } : { kind: 'updated', account });
    } catch (error) {
      const field = conflictingField(error);
      if (field) return Promise.resolve({ kind: 'conflict', field });
      throw error;
    }
  }

  updatePassword(id: string, password: StoredPassword, updatedAt: Date, ifHash?: string): Promise<boolean> {
    const { changes } = this.#updatePassword.run({
      id,
      ...passwordColumns(password),
      updated_at: updatedAt.getTime(),
      if_hash: ifHash ?? null,
    });
    return Promise.resolve(changes > 0);
  }

  countByOrigin(): Promise<Record<AccountOrigin, number>> {
    const counts: Record<AccountOrigin, number> = { migrated: 0, registered: 0, imported: 0 };
    for (const { origin, count } of this.#countByOrigin.all()) counts[origin as AccountOrigin] = count;
    return Promise.resolve(counts);
  }

  countFromSource(source: string): Promise<number> {
    return Promise.resolve(this.#countFromSource.get(source)?.count ?? 0);
  }

  existingLegacyIds(source: string, legacyIds: readonly string[]): Promise<Set<string>> {
    if (legacyIds.length === 0) return Promise.resolve(new Set());
    const rows = this.#existingLegacyIds.all(source, JSON.stringify(legacyIds));
    return Promise.resolve(new Set(rows.map((row) => row.id)));
  }

  takenLogins(normalisedLogins: readonly string[]): Promise<Set<string>> {
    if (normalisedLogins.length === 0) return Promise.resolve(new Set());
    const rows = this.#takenLogins.all(JSON.stringify(normalisedLogins));
    return Promise.resolve(new Set(rows.map((row) => row.login)));
  }

  search(query: AccountSearch): Promise<AccountPage> {
    return runSearch(query, this.#search);
  }

  updateNames(id: string, names: AccountNames, updatedAt: Date): Promise<boolean> {
    const { changes } = this.#updateNames.run(
      names.name ?? null,
      names.givenName ?? null,
      names.familyName ?? null,
      updatedAt.getTime(),
      id,
    );
    return Promise.resolve(changes > 0);
  }

  setDisabled(id: string, disabled: boolean, updatedAt: Date): Promise<boolean> {
    const { changes } = this.#setDisabled.run(disabled ? 1 : 0, updatedAt.getTime(), id);
    return Promise.resolve(changes > 0);
  }

  declinePasskeyOffer(id: string, at: Date): Promise<boolean> {
    return Promise.resolve(this.#declinePasskeyOffer.run(at.getTime(), id).changes > 0);
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.#deleteCounted(id));
  }

  #insertOne(account: Account): InsertAccountResult {
    try {
      this.#insert.run({
        id: account.id,
        username: account.username,
        username_norm: normaliseLogin(account.username),
        email: account.email ?? null,
        email_norm: account.email === undefined ? null : normaliseLogin(account.email),
        email_verified: account.emailVerified ? 1 : 0,
        name: account.name ?? null,
        given_name: account.givenName ?? null,
        family_name: account.familyName ?? null,
        roles: JSON.stringify(account.roles),
        origin: account.origin,
        legacy_source: account.legacy?.source ?? null,
        legacy_id: account.legacy?.id ?? null,
        migrated_at: account.legacy?.migratedAt.getTime() ?? null,
        ...passwordColumns(account.password),
        disabled: account.disabled ? 1 : 0,
        passkey_offer_declined_at: account.passkeyOfferDeclinedAt?.getTime() ?? null,
        created_at: account.createdAt.getTime(),
        updated_at: account.updatedAt.getTime(),
      });
      return { kind: 'inserted', account };
    } catch (error) {
      const field = conflictingField(error);
      if (field) return { kind: 'conflict', field };
      throw error;
    }
  }
}

function conflictingField(error: unknown): AccountField | undefined {
  const code = (error as { code?: unknown }).code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return undefined;
  // "UNIQUE constraint failed: accounts.legacy_source, accounts.legacy_id"
  const column = /failed: ([\w.]+)/.exec((error as Error).message)?.[1];
  return column === undefined ? undefined : UNIQUE_COLUMNS[column];
}

function toAccount(row: AccountRow | undefined): Account | undefined {
  return row ? rowToAccount(row) : undefined;
}
