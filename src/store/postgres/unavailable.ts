import pg from 'pg';

/**
 * SQLSTATEs that mean "not now": the server shutting down or starting (57P01-57P03), a statement or lock wait cut
 * short (57014 statement_timeout, 55P03 lock_timeout), no room (53xxx: disk full, out of memory, too many
 * connections), an I/O error (58030), a standby or a read-only server after a failover (25006), and a transaction the
 * server gave up for a deadlock or a serialization failure, which a retry would pass (40001, 40P01). Constraint
 * violations (23xxx) and bad SQL (42xxx) are bugs or answers, never "unavailable".
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '58030', '25006', '40001', '40P01']);

/** Node's errors of a connection that could not be made or broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EAI_AGAIN',
]);

/**
 * pg's own messages for the same (it throws plain Errors): a connection that ended under a query, a query that got no
 * answer within `query_timeout` (a server or a network that went silent: nothing comes back, not even an error), the
 * pool's wait for a connection past `connectionTimeoutMillis`, a client broken by an earlier error, a pool already
 * closed (the process shutting down).
 */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^Query read timeout$/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^Client was closed and is not queryable$/,
];

/** PostgreSQL's "not now" errors, as guardStore turns them into StoreUnavailableError. */
export function isPostgresUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof pg.DatabaseError) {
    const state = error.code ?? '';
    // Class 08: connection exceptions; class 53: insufficient resources.
    return state.startsWith('08') || state.startsWith('53') || UNAVAILABLE_STATES.has(state);
  }
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (error instanceof AggregateError && error.errors.some(isPostgresUnavailable)) return true;
  return CONNECTION_MESSAGES.some((message) => message.test(error.message));
}
