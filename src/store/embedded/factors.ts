import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { Factor, FactorKind, FactorStore } from '../store.js';
import { assertOneAccount, factorFromRow, type DecodedFactorRow } from '../sql-rows.js';

/** A row of `factors` as SELECT * reads it (schema migration 8): the data as JSON text. */
interface FactorRow extends Omit<DecodedFactorRow, 'data'> {
  data: string;
}

type AddResult = { kind: 'added' } | { kind: 'conflict' };

export class SqliteFactorStore implements FactorStore {
  readonly #byAccount: Statement<[string], FactorRow>;
  readonly #byCredentialId: Statement<[string], FactorRow>;
  readonly #insert: Statement<Record<string, unknown>>;
  readonly #removeKind: Statement<[string, string]>;
  readonly #advance: Statement<[number, number, string, number]>;
  readonly #touch: Statement<[number, string]>;
  readonly #replaceData: Statement<[string, string]>;
  readonly #removeAll: Statement<[string]>;
  readonly #removeSome: Statement<[string, string]>;
  readonly #counts: Statement<[], { kind: string; n: number }>;
  readonly #countedKinds: Statement<[string], string>;
  readonly #accountOf: Statement<[string], string>;
  readonly #bump: Statement<[string, number]>;
  readonly #add: Transaction<(factors: readonly Factor[], replacing: FactorKind | undefined) => void>;
  readonly #advanceCounted: Transaction<(id: string, mark: number, at: number) => boolean>;
  readonly #removeCounted: Transaction<(accountId: string, ids: readonly string[] | undefined) => number>;

  constructor(db: Database) {
    this.#byAccount = db.prepare('SELECT * FROM factors WHERE account_id = ? ORDER BY created_at, id');
    this.#byCredentialId = db.prepare('SELECT * FROM factors WHERE credential_id = ?');
    this.#insert = db.prepare(`
      INSERT INTO factors (id, account_id, kind, credential_id, data, mark, label, created_at, last_used_at)
      VALUES (@id, @account_id, @kind, @credential_id, @data, @mark, @label, @created_at, @last_used_at)`);
    this.#removeKind = db.prepare('DELETE FROM factors WHERE account_id = ? AND kind = ?');
    // The condition and the write are one statement: of concurrent callers with the same mark, one changes the row.
    this.#advance = db.prepare('UPDATE factors SET mark = ?, last_used_at = ? WHERE id = ? AND mark < ?');
    this.#touch = db.prepare('UPDATE factors SET last_used_at = ? WHERE id = ?');
    this.#replaceData = db.prepare('UPDATE factors SET data = ? WHERE id = ?');
    this.#removeAll = db.prepare('DELETE FROM factors WHERE account_id = ?');
    // A JSON array parameter: one prepared statement whatever the number of ids.
    this.#removeSome = db.prepare(
      'DELETE FROM factors WHERE account_id = ? AND id IN (SELECT value FROM json_each(?))',
    );
    // factor_counts (schema migration 9) holds the console's figure, kept by every write below in its own
    // transaction: the kinds an account counts for before and after the write, and one more or one fewer account per
    // kind that changed. Counting the index instead took ~170 ms on the event loop at 10^6 accounts, per dashboard.
    this.#counts = db.prepare('SELECT kind, n FROM factor_counts');
    // What an account counts for: a factor of the kind; for recovery codes, an unused one (the partial index's rule).
    this.#countedKinds = db
      .prepare<[string], string>(
        "SELECT DISTINCT kind FROM factors WHERE account_id = ? AND (kind <> 'recovery-code' OR mark < 1)",
      )
      .pluck();
    this.#accountOf = db.prepare<[string], string>('SELECT account_id FROM factors WHERE id = ?').pluck();
    this.#bump = db.prepare(
      'INSERT INTO factor_counts (kind, n) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET n = n + excluded.n',
    );
    this.#add = db.transaction((factors: readonly Factor[], replacing: FactorKind | undefined) => {
      const accountId = factors[0]?.accountId;
      if (accountId === undefined) return;
      this.#counted(accountId, () => {
        if (replacing !== undefined) this.#removeKind.run(accountId, replacing);
        for (const factor of factors) this.#insert.run(toRow(factor));
      });
    });
    this.#advanceCounted = db.transaction((id: string, mark: number, at: number) => {
      const accountId = this.#accountOf.get(id);
      if (accountId === undefined) return false;
      return this.#counted(accountId, () => this.#advance.run(mark, at, id, mark).changes > 0);
    });
    this.#removeCounted = db.transaction((accountId: string, ids: readonly string[] | undefined) =>
      this.removeInTransaction(accountId, ids),
    );
  }

  listByAccount(accountId: string): Promise<Factor[]> {
    return Promise.resolve(this.#byAccount.all(accountId).map(rowToFactor));
  }

  findByCredentialId(credentialId: string): Promise<Factor | undefined> {
    const row = this.#byCredentialId.get(credentialId);
    return Promise.resolve(row ? rowToFactor(row) : undefined);
  }

  add(factors: readonly Factor[], replacing?: FactorKind): Promise<AddResult> {
    assertOneAccount(factors);
    try {
      // IMMEDIATE: the write lock first, so another process's write cannot make this one fail half-way as "busy".
      this.#add.immediate(factors, replacing);
      return Promise.resolve({ kind: 'added' });
    } catch (error) {
      // Thrown inside the transaction, which better-sqlite3 has rolled back: none of the batch is stored, and no
      // factor it was to replace has gone.
      if (isCredentialIdConflict(error)) return Promise.resolve({ kind: 'conflict' });
      throw error;
    }
  }

  advance(id: string, mark: number, at: Date): Promise<boolean> {
    return Promise.resolve(this.#advanceCounted.immediate(id, mark, at.getTime()));
  }

  touch(id: string, at: Date): Promise<void> {
    this.#touch.run(at.getTime(), id);
    return Promise.resolve();
  }

  replaceData(id: string, data: Record<string, unknown>): Promise<boolean> {
    return Promise.resolve(this.#replaceData.run(JSON.stringify(data), id).changes > 0);
  }

  remove(accountId: string, ids?: readonly string[]): Promise<number> {
    if (ids?.length === 0) return Promise.resolve(0);
    return Promise.resolve(this.#removeCounted.immediate(accountId, ids));
  }

  /**
   * `remove`'s work for a caller already inside a transaction on this connection: an account's delete, which takes
   * its factors with it (src/store/embedded/accounts.ts).
   */
  removeInTransaction(accountId: string, ids?: readonly string[]): number {
    return this.#counted(accountId, () =>
      ids === undefined
        ? this.#removeAll.run(accountId).changes
        : this.#removeSome.run(accountId, JSON.stringify(ids)).changes,
    );
  }

  countAccountsByKind(): Promise<Record<FactorKind, number>> {
    const counts: Record<FactorKind, number> = { totp: 0, 'recovery-code': 0, passkey: 0 };
    for (const { kind, n } of this.#counts.all()) counts[kind as FactorKind] = n;
    return Promise.resolve(counts);
  }

  /** Runs `write` (inside the caller's transaction) and moves the counts by what it changed for the account. */
  #counted<T>(accountId: string, write: () => T): T {
    const before = new Set(this.#countedKinds.all(accountId));
    const result = write();
    const after = new Set(this.#countedKinds.all(accountId));
    for (const kind of after) if (!before.has(kind)) this.#bump.run(kind, 1);
    for (const kind of before) if (!after.has(kind)) this.#bump.run(kind, -1);
    return result;
  }
}

function isCredentialIdConflict(error: unknown): boolean {
  const { code } = error as { code?: unknown };
  // "UNIQUE constraint failed: factors.credential_id"; a clash of the random ids is not an expected outcome.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && /failed: factors\.credential_id\b/.test((error as Error).message);
}

function toRow(factor: Factor): Record<string, unknown> {
  return {
    id: factor.id,
    account_id: factor.accountId,
    kind: factor.kind,
    credential_id: factor.credentialId ?? null,
    data: JSON.stringify(factor.data),
    mark: factor.mark,
    label: factor.label ?? null,
    created_at: factor.createdAt.getTime(),
    last_used_at: factor.lastUsedAt?.getTime() ?? null,
  };
}

function rowToFactor(row: FactorRow): Factor {
  return factorFromRow({ ...row, data: JSON.parse(row.data) as Record<string, unknown> });
}
