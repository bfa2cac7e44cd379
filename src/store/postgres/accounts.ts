import type pg from 'pg';
import { normaliseLogin, type Account, type AccountOrigin, type StoredPassword } from '../../accounts/account.js';
import { runSearch } from '../account-search.js';
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
import {
  ACCOUNT_COLUMN_TYPES,
  ACCOUNT_COLUMNS,
  accountValues,
  type AccountValue,
  type AccountRow,
} from './account-rows.js';
import { accountFromRow as rowToAccount, passwordColumns } from '../sql-rows.js';
import { PostgresAccountSearch } from './account-search.js';
import { inTransaction, onConnection, preparedStatement, storable, uniqueViolation } from './sql.js';

/** The unique indexes of `accounts` (schema migration 1), by the field a refused write clashed on. */
const UNIQUE_INDEXES: Record<string, AccountField> = {
  accounts_pkey: 'id',
  accounts_username_unique: 'username',
  accounts_email_unique: 'email',
  accounts_legacy_unique: 'legacyId',
};

const COLUMNS = ACCOUNT_COLUMNS.join(', ');
const PLACEHOLDERS = ACCOUNT_COLUMN_TYPES.map((type, i) => `$${String(i + 1)}::${type}`).join(', ');
/** How long the client waits for the VACUUM after an import (the server's statement timeout is lifted for it). */
const BULK_SETTLE_TIMEOUT_MS = 30 * 60_000;
/** Rows per statement of `insertMany`. */
const CHUNK = 1000;
const INSERT_BATCH = `INSERT INTO accounts (${COLUMNS})
  SELECT ${COLUMNS} FROM unnest(${ACCOUNT_COLUMN_TYPES.map((type, i) => `$${String(i + 1)}::${type}[]`).join(', ')})
    WITH ORDINALITY AS batch (${COLUMNS}, ord)
  ORDER BY ord
  ON CONFLICT DO NOTHING
  RETURNING id, username_norm, email_norm, legacy_source, legacy_id`;
// Each sign-in reads its account by login; the session's pages, tokens and userinfo by id.
const BY_ID = preparedStatement('account_by_id', `SELECT ${COLUMNS} FROM accounts WHERE id = $1`);
// Usernames cannot contain "@", so at most one of the two can match a given login.
const BY_LOGIN = preparedStatement(
  'account_by_login',
  `SELECT ${COLUMNS} FROM accounts WHERE username_norm = $1 OR email_norm = $1 LIMIT 1`,
);
/** Adds to the kept count of each origin; rows in origin order, so concurrent writers lock them in one order. */
const ADD_TO_COUNTS = `INSERT INTO account_counts (origin, n) SELECT origin, n FROM unnest($1::text[], $2::bigint[])
  AS delta (origin, n) ORDER BY origin ON CONFLICT (origin) DO UPDATE SET n = account_counts.n + excluded.n`;

/** Removes an account's factors inside the caller's transaction, keeping their counts (PostgresFactorStore). */
export type RemoveFactorsWith = (client: pg.PoolClient, accountId: string) => Promise<unknown>;

export class PostgresAccountStore implements AccountStore {
  readonly #pool: pg.Pool;
  readonly #search: PostgresAccountSearch;
  readonly #removeFactors: RemoveFactorsWith;

  constructor(pool: pg.Pool, removeFactors: RemoveFactorsWith) {
    this.#pool = pool;
    this.#search = new PostgresAccountSearch(pool);
    this.#removeFactors = removeFactors;
  }

  async findById(id: string): Promise<Account | undefined> {
    if (!storable(id)) return undefined;
    return this.#one(BY_ID([id]));
  }

  async findByLogin(normalisedLogin: string): Promise<Account | undefined> {
    if (!storable(normalisedLogin)) return undefined;
    return this.#one(BY_LOGIN([normalisedLogin]));
  }

  async findByLegacyId(source: string, legacyId: string): Promise<Account | undefined> {
    if (!storable(source) || !storable(legacyId)) return undefined;
    return this.#one({
      text: `SELECT ${COLUMNS} FROM accounts WHERE legacy_source = $1 AND legacy_id = $2`,
      values: [source, legacyId],
    });
  }

  async insert(account: Account): Promise<InsertAccountResult> {
    try {
      // The account and its origin's count in one statement: both or neither.
      await this.#pool.query(
        `WITH inserted AS (INSERT INTO accounts (${COLUMNS}) VALUES (${PLACEHOLDERS}) RETURNING origin)
         INSERT INTO account_counts (origin, n) SELECT origin, 1 FROM inserted
         ON CONFLICT (origin) DO UPDATE SET n = account_counts.n + 1`,
        accountValues(account),
      );
      return { kind: 'inserted', account };
    } catch (error) {
      const field = conflictingField(error);
      if (field) return { kind: 'conflict', field };
      throw error;
    }
  }

  async insertMany(accounts: readonly Account[]): Promise<InsertAccountResult[]> {
    if (accounts.length === 0) return [];
    return inTransaction(this.#pool, async (client) => {
      const results: (InsertAccountResult | undefined)[] = accounts.map(() => undefined);
      // The batch in a few statements of at most CHUNK rows each (every statement stays well inside the statement
      // timeout); the rows a unique index refuses are left out rather than failing it.
      const values = accounts.map(accountValues);
      for (let from = 0; from < accounts.length; from += CHUNK) {
        const chunk = values.slice(from, from + CHUNK);
        const inserted = await client.query<KeyRow>(
          INSERT_BATCH,
          ACCOUNT_COLUMNS.map((_, column) => chunk.map((row) => row[column] ?? null)),
        );
        // Which rows went in: the chunk's rows in order, matched on every unique key (two rows alike in all of them
        // cannot both go in, and the earlier one is tried first).
        const stored = new Map<string, number>();
        for (const row of inserted.rows) stored.set(keyOf(row), (stored.get(keyOf(row)) ?? 0) + 1);
        chunk.forEach((row, k) => {
          const key = keyOf(keyRow(row));
          const left = stored.get(key) ?? 0;
          const account = accounts[from + k];
          if (left > 0 && account) {
            stored.set(key, left - 1);
            results[from + k] = { kind: 'inserted', account };
          }
        });
      }
      // Each refused row once more on its own, for the index that refuses it (the row it clashed with may also have
      // gone since, and then it goes in).
      for (const [i, account] of accounts.entries()) {
        if (results[i] !== undefined) continue;
        await client.query('SAVEPOINT one_account');
        try {
          await client.query(`INSERT INTO accounts (${COLUMNS}) VALUES (${PLACEHOLDERS})`, values[i]);
          await client.query('RELEASE SAVEPOINT one_account');
          results[i] = { kind: 'inserted', account };
        } catch (error) {
          const field = conflictingField(error);
          if (!field) throw error;
          await client.query('ROLLBACK TO SAVEPOINT one_account');
          results[i] = { kind: 'conflict', field };
        }
      }
      const byOrigin = new Map<AccountOrigin, number>();
      for (const result of results) {
        if (result?.kind === 'inserted')
          byOrigin.set(result.account.origin, (byOrigin.get(result.account.origin) ?? 0) + 1);
      }
      if (byOrigin.size > 0) await client.query(ADD_TO_COUNTS, [[...byOrigin.keys()], [...byOrigin.values()]]);
      return results.map((result) => result ?? { kind: 'conflict', field: 'id' });
    });
  }

  async settleAfterBulkInsert(): Promise<void> {
    // VACUUM runs outside a transaction, and on a large table longer than any statement is allowed to: one connection
    // of the pool lifts both timeouts for it, and sets them back before it is reused (or is thrown away).
    await onConnection(this.#pool, async (client) => {
      await client.query('SET statement_timeout = 0');
      // pg reads a query's own `query_timeout` (client.js); its types only know the pool's.
      const vacuum: pg.QueryConfig & { query_timeout: number } = {
        text: 'VACUUM (ANALYZE) accounts',
        query_timeout: BULK_SETTLE_TIMEOUT_MS,
      };
      await client.query(vacuum);
      await client.query('RESET statement_timeout');
    });
  }

  async updateLogins(id: string, change: LoginChange): Promise<UpdateLoginsResult> {
    if (!storable(id)) return { kind: 'not-found' };
    try {
      // NULL parameters keep the current value: one statement serves every combination of changes.
      const { rows } = await this.#pool.query<AccountRow>(
        `UPDATE accounts SET
           username = coalesce($2, username), username_norm = coalesce($3, username_norm),
           email = coalesce($4, email), email_norm = coalesce($5, email_norm),
           email_verified = coalesce($6, email_verified), updated_at = $7
         WHERE id = $1 AND updated_at = $8
         RETURNING *`,
        [
          id,
          change.username ?? null,
          change.username === undefined ? null : normaliseLogin(change.username),
          change.email ?? null,
          change.email === undefined ? null : normaliseLogin(change.email),
          change.emailVerified ?? null,
          change.updatedAt.getTime(),
          change.ifUpdatedAt.getTime(),
        ],
      );
      const row = rows[0];
      if (row) return { kind: 'updated', account: rowToAccount(row) };
      return (await this.findById(id)) ? { kind: 'stale' } : { kind: 'not-found' };
    } catch (error) {
      const field = conflictingField(error);
      if (field) return { kind: 'conflict', field };
      throw error;
    }
  }

  async updatePassword(id: string, password: StoredPassword, updatedAt: Date, ifHash?: string): Promise<boolean> {
    if (!storable(id)) return false;
    const columns = passwordColumns(password);
    const { rowCount } = await this.#pool.query(
      `UPDATE accounts SET password_kind = $2, password_hash = $3, password_legacy = $4::jsonb, updated_at = $5
       WHERE id = $1 AND ($6::text IS NULL OR password_hash = $6)`,
      [id, columns.password_kind, columns.password_hash, columns.password_legacy, updatedAt.getTime(), ifHash ?? null],
    );
    return (rowCount ?? 0) > 0;
  }

  async countByOrigin(): Promise<Record<AccountOrigin, number>> {
    const counts: Record<AccountOrigin, number> = { migrated: 0, registered: 0, imported: 0 };
    const { rows } = await this.#pool.query<{ origin: AccountOrigin; n: number }>(
      'SELECT origin, n FROM account_counts',
    );
    for (const { origin, n } of rows) counts[origin] = n;
    return counts;
  }

  async countFromSource(source: string): Promise<number> {
    if (!storable(source)) return 0;
    // The leading column of the (legacy_source, legacy_id) unique index: counted in the index.
    const { rows } = await this.#pool.query<{ n: number }>(
      'SELECT count(*) AS n FROM accounts WHERE legacy_source = $1',
      [source],
    );
    return rows[0]?.n ?? 0;
  }

  async existingLegacyIds(source: string, legacyIds: readonly string[]): Promise<Set<string>> {
    const wanted = legacyIds.filter(storable);
    if (wanted.length === 0 || !storable(source)) return new Set();
    // One array parameter: one look-up in the unique index per id, whatever the batch size.
    const { rows } = await this.#pool.query<{ id: string }>(
      'SELECT legacy_id AS id FROM accounts WHERE legacy_source = $1 AND legacy_id = ANY($2::text[])',
      [source, wanted],
    );
    return new Set(rows.map((row) => row.id));
  }

  async takenLogins(normalisedLogins: readonly string[]): Promise<Set<string>> {
    const wanted = normalisedLogins.filter(storable);
    if (wanted.length === 0) return new Set();
    const { rows } = await this.#pool.query<{ login: string }>(
      `SELECT login FROM unnest($1::text[]) AS wanted (login)
       WHERE EXISTS (SELECT 1 FROM accounts WHERE username_norm = login)
          OR EXISTS (SELECT 1 FROM accounts WHERE email_norm = login)`,
      [wanted],
    );
    return new Set(rows.map((row) => row.login));
  }

  search(query: AccountSearch): Promise<AccountPage> {
    // Nothing stored holds U+0000 (PostgreSQL text cannot), so text with it matches no account.
    if (query.text !== undefined && !storable(query.text)) return Promise.resolve({ accounts: [], total: 0 });
    return runSearch(query, this.#search);
  }

  async updateNames(id: string, names: AccountNames, updatedAt: Date): Promise<boolean> {
    if (!storable(id)) return false;
    const { rowCount } = await this.#pool.query(
      'UPDATE accounts SET name = $2, given_name = $3, family_name = $4, updated_at = $5 WHERE id = $1',
      [id, names.name ?? null, names.givenName ?? null, names.familyName ?? null, updatedAt.getTime()],
    );
    return (rowCount ?? 0) > 0;
  }

  async setDisabled(id: string, disabled: boolean, updatedAt: Date): Promise<boolean> {
    if (!storable(id)) return false;
    const { rowCount } = await this.#pool.query('UPDATE accounts SET disabled = $2, updated_at = $3 WHERE id = $1', [
      id,
      disabled,
      updatedAt.getTime(),
    ]);
    return (rowCount ?? 0) > 0;
  }

  async declinePasskeyOffer(id: string, at: Date): Promise<boolean> {
    if (!storable(id)) return false;
    const { rowCount } = await this.#pool.query('UPDATE accounts SET passkey_offer_declined_at = $2 WHERE id = $1', [
      id,
      at.getTime(),
    ]);
    return (rowCount ?? 0) > 0;
  }

  async delete(id: string): Promise<boolean> {
    if (!storable(id)) return false;
    // The account, its origin's count and its second factors go in one transaction. The factors go even when the
    // account was gone already, as in the other stores: a repeated delete clears what an interrupted one left.
    return inTransaction(this.#pool, async (client) => {
      const { rows } = await client.query<{ origin: string }>(
        `WITH gone AS (DELETE FROM accounts WHERE id = $1 RETURNING origin)
         UPDATE account_counts SET n = account_counts.n - 1 FROM gone
         WHERE account_counts.origin = gone.origin RETURNING gone.origin`,
        [id],
      );
      await this.#removeFactors(client, id);
      return rows.length > 0;
    });
  }

  async #one(query: pg.QueryConfig): Promise<Account | undefined> {
    const { rows } = await this.#pool.query<AccountRow>(query);
    const row = rows[0];
    return row ? rowToAccount(row) : undefined;
  }
}

/** The field a unique index refused the write for, from the index's name (`UNIQUE_INDEXES`). */
function conflictingField(error: unknown): AccountField | undefined {
  const index = uniqueViolation(error);
  return index === undefined ? undefined : UNIQUE_INDEXES[index];
}

/** An account's unique keys, as the batch insert returns them. */
interface KeyRow {
  id: unknown;
  username_norm: unknown;
  email_norm: unknown;
  legacy_source: unknown;
  legacy_id: unknown;
}

function keyRow(values: readonly AccountValue[]): KeyRow {
  const at = (column: (typeof ACCOUNT_COLUMNS)[number]) => values[ACCOUNT_COLUMNS.indexOf(column)] ?? null;
  return {
    id: at('id'),
    username_norm: at('username_norm'),
    email_norm: at('email_norm'),
    legacy_source: at('legacy_source'),
    legacy_id: at('legacy_id'),
  };
}

function keyOf(row: KeyRow): string {
  return JSON.stringify([row.id, row.username_norm, row.email_norm, row.legacy_source, row.legacy_id]);
}
