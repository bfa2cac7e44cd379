import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from '../log/logger.js';

/** The number of serving processes a `workers` setting means on this machine. */
export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/**
 * Hashing threads for one process: an explicit setting is kept; otherwise the cores are divided between the
 * processes, so N workers do not start N × cores threads fighting over the same cores.
 */
export function hashingThreadsPerProcess(configured: number, processes: number): number {
  if (configured > 0) return configured;
  return Math.max(1, Math.floor(availableParallelism() / processes));
}

/** Exit code a worker uses for a configuration it cannot run with; restarting it would not help. */
const EX_CONFIG = 78;
/** More crashes than this within CRASH_WINDOW_MS stop the whole service rather than restart forever. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;
const RESTART_DELAY_MS = 1000;

/**
 * The primary process of `workers > 1`: forks the workers (which share the listening port), restarts one that
 * dies, and on SIGTERM/SIGINT asks every worker to drain and exits once all have, with 0 only if all exited cleanly.
 */
export function runPrimary(count: number, logger: Logger): void {
  const live = new Set<Worker>();
  const crashes: number[] = [];
  let stopping = false;
  let exitCode = 0;

  const fork = () => live.add(cluster.fork());
  const stopAll = (code: number) => {
    stopping = true;
    exitCode = Math.max(exitCode, code);
    for (const worker of live) worker.process.kill('SIGTERM');
    if (live.size === 0) process.exit(exitCode);
  };

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    const pid = worker.process.pid;
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (live.size === 0) process.exit(exitCode);
      return;
    }
    if (code === EX_CONFIG) {
      logger.fatal({ pid }, 'a worker refused the configuration; stopping');
      stopAll(EX_CONFIG);
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && (crashes[0] ?? now) < now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length > MAX_CRASHES) {
      logger.fatal({ pid, code, signal, crashes: crashes.length }, 'workers keep dying; stopping');
      stopAll(1);
      return;
    }
    logger.error({ pid, code, signal }, 'worker died; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS);
  });

  for (let i = 0; i < count; i++) fork();
  process.on('SIGTERM', () => stopAll(0));
  process.on('SIGINT', () => stopAll(0));
}
