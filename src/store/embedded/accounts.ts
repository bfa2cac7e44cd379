import type { Database, Statement } from 'better-sqlite3';
import { normaliseLogin, type Account, type AccountOrigin } from '../../accounts/account.js';
import type { AccountField, AccountStore, InsertAccountResult, LoginChange, UpdateLoginsResult } from '../store.js';

interface AccountRow {
  id: string;
  username: string;
  email: string | null;
  email_verified: number;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  roles: string;
  origin: string;
  legacy_source: string | null;
  legacy_id: string | null;
  migrated_at: number | null;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

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

  constructor(db: Database) {
    // NULL parameters keep the current value: one statement serves every combination of changes.
    this.#updateLogins = db.prepare(`
      UPDATE accounts SET
        username = coalesce(@username, username), username_norm = coalesce(@username_norm, username_norm),
        email = coalesce(@email, email), email_norm = coalesce(@email_norm, email_norm),
        email_verified = coalesce(@email_verified, email_verified), updated_at = @updated_at
      WHERE id = @id AND updated_at = @if_updated_at`);
    this.#byId = db.prepare('SELECT * FROM accounts WHERE id = ?');
    // Usernames cannot contain "@", so at most one of the two can match a given login.
    this.#byLogin = db.prepare('SELECT * FROM accounts WHERE username_norm = ? OR email_norm = ? LIMIT 1');
    this.#byLegacyId = db.prepare('SELECT * FROM accounts WHERE legacy_source = ? AND legacy_id = ?');
    this.#insert = db.prepare(`
      INSERT INTO accounts (id, username, username_norm, email, email_norm, email_verified, name, given_name,
        family_name, roles, origin, legacy_source, legacy_id, migrated_at, password_hash, created_at, updated_at)
      VALUES (@id, @username, @username_norm, @email, @email_norm, @email_verified, @name, @given_name,
        @family_name, @roles, @origin, @legacy_source, @legacy_id, @migrated_at, @password_hash, @created_at,
        @updated_at)`);
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

  insert(account: Account): Promise<InsertAccountResult> {
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
        password_hash: account.passwordHash,
        created_at: account.createdAt.getTime(),
        updated_at: account.updatedAt.getTime(),
      });
      return Promise.resolve({ kind: 'inserted', account });
    } catch (error) {
      const field = conflictingField(error);
      if (field) return Promise.resolve({ kind: 'conflict', field });
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
  if (!row) return undefined;
  return {
    id: row.id,
    username: row.username,
    email: row.email ?? undefined,
    emailVerified: row.email_verified === 1,
    name: row.name ?? undefined,
    givenName: row.given_name ?? undefined,
    familyName: row.family_name ?? undefined,
    roles: JSON.parse(row.roles) as string[],
    origin: row.origin as AccountOrigin,
    legacy:
      row.legacy_source !== null && row.legacy_id !== null && row.migrated_at !== null
        ? { source: row.legacy_source, id: row.legacy_id, migratedAt: new Date(row.migrated_at) }
        : undefined,
    passwordHash: row.password_hash,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
