import type pg from 'pg';
import type { Factor, FactorKind, FactorStore } from '../store.js';
import { inTransaction, preparedStatement, storable, uniqueViolation, type Queryable } from './sql.js';
import { assertOneAccount, factorFromRow, type DecodedFactorRow } from '../sql-rows.js';

/** A row of `factors` (schema migration 2), as the statements below read it. */
type FactorRow = DecodedFactorRow;

const FACTOR_COLUMNS = (
  [
    'id',
    'account_id',
    'kind',
    'credential_id',
    'data',
    'mark',
    'label',
    'created_at',
    'last_used_at',
  ] as const satisfies readonly (keyof FactorRow)[]
).join(', ');
/** Read on every sign-in (which second factors the account has), so prepared once per connection. */
const BY_ACCOUNT = preparedStatement(
  'factors_by_account',
  `SELECT ${FACTOR_COLUMNS} FROM factors WHERE account_id = $1 ORDER BY created_at, id`,
);

type AddResult = { kind: 'added' } | { kind: 'conflict' };

/** The unique index on passkeys' credential ids; its name is how a refused write says what clashed. */
const CREDENTIAL_INDEX = 'factors_credential_unique';

/**
 * Moves factor_holdings by a change in an account's counted factors per kind ($2 kinds, $3 deltas), and
 * factor_counts by each holding that went from none to some or back: one statement, row locks in kind order.
 */
const ADJUST_HOLDINGS = `
  WITH delta AS (SELECT kind, n FROM unnest($2::text[], $3::int[]) AS d (kind, n)),
  held AS (
    INSERT INTO factor_holdings (account_id, kind, n) SELECT $1, kind, n FROM delta ORDER BY kind
    ON CONFLICT (account_id, kind) DO UPDATE SET n = factor_holdings.n + excluded.n
    RETURNING kind, n
  ),
  moved AS (
    SELECT held.kind, CASE WHEN held.n > 0 AND held.n - delta.n <= 0 THEN 1
                           WHEN held.n <= 0 AND held.n - delta.n > 0 THEN -1 ELSE 0 END AS step
    FROM held JOIN delta ON delta.kind = held.kind
  )
  INSERT INTO factor_counts (kind, n) SELECT kind, step FROM moved WHERE step <> 0 ORDER BY kind
  ON CONFLICT (kind) DO UPDATE SET n = factor_counts.n + excluded.n`;

/**
 * Second factors. The console's accounts per kind are kept, not counted (counting distinct accounts over 10^6 rows
 * per dashboard is slow): factor_holdings holds how many counted factors (a recovery code only while unused) each
 * account has per kind, and factor_counts how many accounts have any. Every write moves both in its own transaction,
 * through row-locking updates that see the latest committed value, so concurrent writes never lose a change.
 */
export class PostgresFactorStore implements FactorStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async listByAccount(accountId: string): Promise<Factor[]> {
    if (!storable(accountId)) return [];
    const { rows } = await this.#pool.query<FactorRow>(BY_ACCOUNT([accountId]));
    return rows.map(rowToFactor);
  }

  async findByCredentialId(credentialId: string): Promise<Factor | undefined> {
    if (!storable(credentialId)) return undefined;
    const { rows } = await this.#pool.query<FactorRow>('SELECT * FROM factors WHERE credential_id = $1', [
      credentialId,
    ]);
    const row = rows[0];
    return row ? rowToFactor(row) : undefined;
  }

  async add(factors: readonly Factor[], replacing?: FactorKind): Promise<AddResult> {
    assertOneAccount(factors);
    const accountId = factors[0]?.accountId;
    if (accountId === undefined) return { kind: 'added' };
    try {
      await inTransaction(this.#pool, async (client) => {
        const replaced =
          replacing === undefined
            ? []
            : (
                await client.query<{ kind: string; mark: number }>(
                  'DELETE FROM factors WHERE account_id = $1 AND kind = $2 RETURNING kind, mark',
                  [accountId, replacing],
                )
              ).rows;
        await client.query(
          `INSERT INTO factors (id, account_id, kind, credential_id, data, mark, label, created_at, last_used_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bigint[], $7::text[],
             $8::bigint[], $9::bigint[])`,
          [
            factors.map((f) => f.id),
            factors.map((f) => f.accountId),
            factors.map((f) => f.kind),
            factors.map((f) => f.credentialId ?? null),
            factors.map((f) => JSON.stringify(f.data)),
            factors.map((f) => f.mark),
            factors.map((f) => f.label ?? null),
            factors.map((f) => f.createdAt.getTime()),
            factors.map((f) => f.lastUsedAt?.getTime() ?? null),
          ],
        );
        const delta = new Map<string, number>();
        for (const f of factors) if (counts(f)) delta.set(f.kind, (delta.get(f.kind) ?? 0) + 1);
        for (const f of replaced) if (counts(f)) delta.set(f.kind, (delta.get(f.kind) ?? 0) - 1);
        await adjustHoldings(client, accountId, delta);
      });
      return { kind: 'added' };
    } catch (error) {
      // Rolled back whole: none of the batch is stored, and no factor it was to replace has gone.
      if (uniqueViolation(error) === CREDENTIAL_INDEX) return { kind: 'conflict' };
      throw error;
    }
  }

  async advance(id: string, mark: number, at: Date): Promise<boolean> {
    if (!storable(id)) return false;
    // One conditional statement. FOR UPDATE makes concurrent callers queue on the row, and each then tests the mark
    // as the one before it left it: of callers with the same mark exactly one moves it. The mark it moved from (the
    // locked row's, not a snapshot's) says whether a recovery code just stopped counting.
    const { rows } = await this.#pool.query<{ n: number }>(
      `WITH locked AS (
         SELECT id, mark FROM factors WHERE id = $1 AND mark < $2 FOR UPDATE
       ),
       moved AS (
         UPDATE factors SET mark = $2, last_used_at = $3 FROM locked WHERE factors.id = locked.id
         RETURNING factors.account_id, factors.kind, locked.mark AS old_mark
       ),
       held AS (
         UPDATE factor_holdings SET n = factor_holdings.n - 1 FROM moved
         WHERE factor_holdings.account_id = moved.account_id AND factor_holdings.kind = moved.kind
           AND moved.kind = 'recovery-code' AND moved.old_mark < 1 AND $2 >= 1
         RETURNING factor_holdings.kind, factor_holdings.n
       ),
       counted AS (
         UPDATE factor_counts SET n = factor_counts.n - 1 FROM held
         WHERE factor_counts.kind = held.kind AND held.n = 0
       )
       SELECT count(*) AS n FROM moved`,
      [id, mark, at.getTime()],
    );
    return (rows[0]?.n ?? 0) > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    if (!storable(id)) return;
    await this.#pool.query('UPDATE factors SET last_used_at = $2 WHERE id = $1', [id, at.getTime()]);
  }

  async replaceData(id: string, data: Record<string, unknown>): Promise<boolean> {
    if (!storable(id)) return false;
    const { rowCount } = await this.#pool.query('UPDATE factors SET data = $2::jsonb WHERE id = $1', [
      id,
      JSON.stringify(data),
    ]);
    return (rowCount ?? 0) > 0;
  }

  async remove(accountId: string, ids?: readonly string[]): Promise<number> {
    if (ids?.length === 0 || !storable(accountId)) return 0;
    return inTransaction(this.#pool, (client) => this.removeWith(client, accountId, ids));
  }

  /**
   * `remove`'s work inside the caller's transaction: an account's delete, which takes its factors with it
   * (src/store/postgres/accounts.ts). DELETE … RETURNING reports each row as it was when deleted, so a recovery code
   * used a moment before is not counted off twice.
   */
  async removeWith(client: Queryable, accountId: string, ids?: readonly string[]): Promise<number> {
    const { rows } = await client.query<{ kind: string; mark: number }>(
      ids === undefined
        ? 'DELETE FROM factors WHERE account_id = $1 RETURNING kind, mark'
        : 'DELETE FROM factors WHERE account_id = $1 AND id = ANY($2::text[]) RETURNING kind, mark',
      ids === undefined ? [accountId] : [accountId, ids.filter(storable)],
    );
    const delta = new Map<string, number>();
    for (const f of rows) if (counts(f)) delta.set(f.kind, (delta.get(f.kind) ?? 0) - 1);
    await adjustHoldings(client, accountId, delta);
    // An account with no factors left keeps no holding rows (an erased account leaves nothing behind).
    if (ids === undefined)
      await client.query('DELETE FROM factor_holdings WHERE account_id = $1 AND n = 0', [accountId]);
    return rows.length;
  }

  async countAccountsByKind(): Promise<Record<FactorKind, number>> {
    const counted: Record<FactorKind, number> = { totp: 0, 'recovery-code': 0, passkey: 0 };
    const { rows } = await this.#pool.query<{ kind: FactorKind; n: number }>('SELECT kind, n FROM factor_counts');
    for (const { kind, n } of rows) counted[kind] = n;
    return counted;
  }
}

async function adjustHoldings(client: Queryable, accountId: string, delta: Map<string, number>): Promise<void> {
  const changed = [...delta].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (changed.length === 0) return;
  await client.query(ADJUST_HOLDINGS, [accountId, changed.map(([kind]) => kind), changed.map(([, n]) => n)]);
}

/** Whether a factor counts for its account's kind: a recovery code only while unused. */
function counts(factor: { kind: string; mark: number }): boolean {
  return factor.kind !== 'recovery-code' || factor.mark < 1;
}

function rowToFactor(row: FactorRow): Factor {
  return factorFromRow(row);
}
