import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { CheckpointTask } from './checkpoint-worker.js';

// The worker is this module's sibling: `.ts` under tsx and in tests, `.js` once compiled.
const WORKER_FILE = fileURLToPath(
  new URL(`./checkpoint-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * Moves committed pages from the write-ahead log into the database file on a thread of its own, every
 * `intervalMs`. Checkpoints are the only writes of protocol state that wait for the disk (they sync the log, then
 * the file), so the connections the event loop uses never run one: they are opened with automatic checkpoints off.
 */
export function startWalCheckpointer(path: string, busyTimeoutMs: number, intervalMs: number): WalCheckpointer {
  const pool = new Piscina<CheckpointTask, boolean>({ filename: WORKER_FILE, minThreads: 1, maxThreads: 1 });
  let running: Promise<boolean> | undefined;
  const tick = setInterval(() => {
    // One at a time: a checkpoint slower than the interval is not queued behind itself.
    // A thread that failed is replaced by the pool; the log keeps every commit until a checkpoint succeeds.
    running ??= pool
      .run({ op: 'checkpoint', path, busyTimeoutMs })
      .catch(() => false)
      .finally(() => (running = undefined));
  }, intervalMs);
  tick.unref();
  return {
    stop: async () => {
      clearInterval(tick);
      await running;
      await pool.run({ op: 'close', path, busyTimeoutMs });
      await pool.destroy();
    },
  };
}
