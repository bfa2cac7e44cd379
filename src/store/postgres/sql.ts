import pg from 'pg';
import { isPostgresUnavailable } from './unavailable.js';

/** What a store module queries through: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** SQLSTATE of a unique index refusing a write. */
const UNIQUE_VIOLATION = '23505';

/** The unique index (or constraint) that refused a write, when that is what `error` is. */
export function uniqueViolation(error: unknown): string | undefined {
  if (!(error instanceof pg.DatabaseError) || error.code !== UNIQUE_VIOLATION) return undefined;
  return error.constraint ?? '';
}

/**
 * Runs `work` on one client of the pool. A client `work` failed on is thrown away, not reused, unless
 * `fitAfterFailure` says it is clean again: a failure may leave a session setting changed, or a connection broken.
 */
export async function onConnection<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  fitAfterFailure: (client: pg.PoolClient, error: unknown) => Promise<boolean> = () => Promise.resolve(false),
): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    result = await work(client);
  } catch (error) {
    client.release((await fitAfterFailure(client, error)) ? undefined : (error as Error));
    throw error;
  }
  client.release();
  return result;
}

/**
 * Runs `work` in one transaction on one client of the pool: committed when it resolves, rolled back when it throws
 * (the error is passed on). A client whose rollback failed too is broken and is thrown away, not reused. So is one
 * whose connection failed or went silent (a read timeout): a rollback queued behind the unanswered query would only
 * wait out the timeout a second time, and the server rolls back a transaction whose connection ends anyway.
 */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return onConnection(
    pool,
    async (client) => {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    },
    async (client, error) => {
      if (connectionLost(error)) return false;
      try {
        await client.query('ROLLBACK');
        return true;
      } catch {
        return false;
      }
    },
  );
}

/** An error the server did not send (it would be a DatabaseError) that says the connection broke or stopped answering. */
function connectionLost(error: unknown): boolean {
  return !(error instanceof pg.DatabaseError) && isPostgresUnavailable(error);
}

/**
 * A statement on every sign-in's path, as a named prepared statement: each connection has the server parse and plan
 * it once, then sends only its parameters (measured: about a fifth of a sign-in's server CPU was parsing and
 * planning the same few statements). Its columns are always named, never `*`: a rolling upgrade that adds a column
 * would otherwise fail the older processes' cached plans ("cached plan must not change result type"). The name is
 * the statement's identity on a connection, so each is made once, at module level.
 */
export function preparedStatement(name: string, text: string): (values: unknown[]) => pg.QueryConfig {
  return (values) => ({ name, text, values });
}

/**
 * PostgreSQL text cannot hold U+0000, and a query with it in a parameter fails as a whole. Nothing stored can equal
 * such a value, so a look-up for one finds nothing instead of failing (an id from a URL, a console search).
 */
export function storable(text: string): boolean {
  return !text.includes('\u0000');
}

const parseInt8 = (value: string): number => Number(value);

/**
 * int8 read as a JS number, for this store's pool only (pg's global parsers are shared with the SQL legacy
 * connector): the bigints here are millisecond times, counts and factor marks, all far below 2^53.
 */
export const storeTypes: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) =>
    // pg-types declares its parsers as returning `any`; each is a function of the column's text.
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? parseInt8
      : (pg.types.getTypeParser(oid, format) as unknown),
};
