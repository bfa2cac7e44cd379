import type pg from 'pg';

/** Rows deleted per statement: each statement stays short, and so do the locks it holds. */
const BATCH = 5000;

/** Tables whose rows carry an expiry in ms (`expires_at`) and mean nothing once it has passed. */
const EXPIRING = ['oidc_artifacts', 'rate_counters', 'leases'] as const;

/**
 * Deletes expired artifacts, counters and leases every `intervalMs`. Reads already ignore expired rows; this only
 * reclaims their space. Every process sweeps: SKIP LOCKED makes two sweeps at once share the work instead of
 * waiting on each other. A failed sweep (the server away) is reported and tried again at the next tick.
 */
export function startSweep(
  pool: pg.Pool,
  intervalMs: number,
  onError: (error: Error) => void,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const sweep = async () => {
    for (const table of EXPIRING) {
      for (;;) {
        const { rowCount } = await pool.query(
          `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM ${table} WHERE expires_at <= $1 LIMIT ${String(BATCH)} FOR UPDATE SKIP LOCKED))`,
          [Date.now()],
        );
        if ((rowCount ?? 0) < BATCH) break;
      }
    }
  };
  const timer = setInterval(() => {
    // One sweep at a time per process, however long one takes.
    running ??= sweep()
      .catch((error: unknown) => onError(error as Error))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
