/**
 * SQLite's "not now" errors: the write lock held past the busy timeout (another process, a backup), a failing,
 * full or read-only disk, a file that cannot be opened, or a connection already closed (shutting down).
 */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|PROTOCOL)/;

export function isSqliteUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') return UNAVAILABLE_CODES.test(code);
  return error instanceof TypeError && error.message === 'The database connection is not open';
}
