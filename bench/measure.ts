import { readFileSync } from 'node:fs';

/** The benches' measuring tools: quantiles, timings, a process's CPU and memory, and loads that count failures. */

export const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

export const median = (values: readonly number[]): number => quantile(values, 0.5);
export const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** A process's resident memory now, from /proc (what `ps` shows as RSS), in bytes. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** CPU time (user + system, all threads) a process has used so far, in microseconds, from /proc (10 ms ticks). */
export function cpuMicros(pid: number): number {
  const fields =
    readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export interface Load {
  /** Successful steps per second. */
  perSecond: number;
  /** Successful steps in all. */
  done: number;
  errors: number;
  /** The first failure's message, so a broken setup shows why rather than just a count. */
  firstError?: string;
}

/**
 * Runs `step(lane)` on `lanes` lanes for `seconds`, each lane starting its next step as soon as the last ended, as a
 * load tester's connections would; counts the steps that succeeded and the ones that failed.
 */
export async function loadFor(lanes: number, seconds: number, step: (lane: number) => Promise<unknown>): Promise<Load> {
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (performance.now() < until) {
        try {
          await step(lane);
          done++;
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  return { perSecond: done / ((performance.now() - started) / 1000), done, errors, firstError };
}
