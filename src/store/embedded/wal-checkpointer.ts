import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { CheckpointTask } from './checkpoint-worker.js';

// The worker is this module's sibling: `.ts` under tsx and in tests, `.js` once compiled.
const WORKER_FILE = fileURLToPath(
  new URL(`./checkpoint-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/**
 * Runs `filename`'s default export with `task` on a worker thread: the IdP passes its hashing threads, so that the
 * process keeps no thread (about 12 MB) idle for checkpoints.
 */
export type ThreadRunner = (filename: string, task: CheckpointTask) => Promise<unknown>;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * Moves committed pages from the write-ahead log into the database file on a worker thread, every `intervalMs`.
 * Checkpoints are the writes that wait for the disk (they sync the log, then the file), so the connection the event
 * loop uses leaves them to this (see `WRITER_CHECKPOINT_PAGES` for its one exception). Without `threads`, a thread
 * of its own.
 */
export function startWalCheckpointer(
  path: string,
  busyTimeoutMs: number,
  intervalMs: number,
  threads?: ThreadRunner,
): WalCheckpointer {
  const ownPool = threads ? undefined : new Piscina<CheckpointTask, boolean>({ minThreads: 1, maxThreads: 1 });
  const run: ThreadRunner = threads ?? ((filename, task) => (ownPool as Piscina).run(task, { filename }));
  let running: Promise<unknown> | undefined;
  const tick = setInterval(() => {
    // One at a time: a checkpoint slower than the interval is not queued behind itself. A failed one (a thread lost,
    // a failing disk) is retried at the next tick; the log keeps every commit meanwhile.
    running ??= run(WORKER_FILE, { path, busyTimeoutMs })
      .catch(() => false)
      .finally(() => (running = undefined));
  }, intervalMs);
  tick.unref();
  return {
    stop: async () => {
      clearInterval(tick);
      await running;
      await ownPool?.destroy();
    },
  };
}
