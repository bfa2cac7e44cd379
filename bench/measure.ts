import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createPasswordHasher } from '../src/passwords/password-hasher.js';
import { readdirSync, readFileSync } from 'node:fs';

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

/** Runs `step(i)` on `lanes` lanes until `count` steps are done (i counting from 0); returns steps per second. */
export async function throughput(lanes: number, count: number, step: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const elapsed = await timed(() =>
    Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < count) await step(next++);
      }),
    ),
  );
  return count / (elapsed / 1000);
}

/** A process's resident memory now, from /proc (what `ps` shows as RSS), in bytes. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/**
 * CPU time (user + system) a process (all its threads), or one of its threads, has used so far, in microseconds,
 * from /proc (10 ms ticks).
 */
export function cpuMicros(pid: number, tid?: number): number {
  const file = tid === undefined ? `/proc/${String(pid)}/stat` : `/proc/${String(pid)}/task/${String(tid)}/stat`;
  const fields = readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * CPU time a server of several processes has used so far (PostgreSQL: the postmaster and its backends), in
 * microseconds: the root's own and its ended children's (which the kernel adds to the root), and its live children's.
 */
export function processTreeCpuMicros(rootPid: number): number {
  const fieldsOf = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const root = fieldsOf(String(rootPid));
  let ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(root[i]), 0);
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const fields = fieldsOf(pid);
      if (Number(fields[1]) === rootPid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks * 10_000;
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

/** What a bench prints in place of an ApacheBench figure when `ab` is missing. */
export const AB_MISSING = 'skipped: ab is not installed (apt-get install apache2-utils)';

/**
 * Requests per second ApacheBench (`ab`, Debian's apache2-utils: C, one thread, kept-alive connections) gets from
 * `url` with `lanes` requests in flight for `seconds`, and how many failed; undefined when ab is not installed. For
 * endpoints fast enough that a Node client would measure itself rather than the server.
 */
export function abRate(url: string, lanes: number, seconds: number): { perSecond: number; failed: number } | undefined {
  const run = spawnSync('ab', ['-q', '-k', '-c', String(lanes), '-t', String(seconds), '-n', '100000000', url], {
    encoding: 'utf8',
  });
  if (run.error) return undefined;
  const figure = (pattern: RegExp) => Number(pattern.exec(run.stdout)?.[1] ?? Number.NaN);
  const non2xx = figure(/^Non-2xx responses:\s+(\d+)/m);
  return {
    perSecond: figure(/^Requests per second:\s+([\d.]+)/m),
    failed: figure(/^Failed requests:\s+(\d+)/m) + (Number.isNaN(non2xx) ? 0 : non2xx),
  };
}

/** CPU time (user + system) of each thread of a process so far, in microseconds, by thread id, from /proc. */
export function threadCpuMicros(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${String(pid)}/task`)) {
    try {
      threads.set(Number(tid), cpuMicros(pid, Number(tid)));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/**
 * The CPU a process spent between two `threadCpuMicros` snapshots outside its `busiest` busiest threads: with the
 * hashing threads as the busiest, what everything else costs (event loop, GC helpers, libuv's pool).
 */
export function cpuOutsideBusiest(before: Map<number, number>, after: Map<number, number>, busiest: number): number {
  const used = [...after].map(([tid, micros]) => micros - (before.get(tid) ?? 0)).sort((a, b) => b - a);
  return used.slice(busiest).reduce((sum, micros) => sum + micros, 0);
}

/**
 * The machine's hashing bound: bcrypt verifications per second at `cost` on every core (the IdP's own hashing
 * threads), over `seconds` with two verifications per core in flight, after one round to warm up.
 */
export async function bcryptBound(cost: number, seconds: number): Promise<number> {
  const lanes = availableParallelism() * 2;
  const hasher = await createPasswordHasher({ cost, threads: availableParallelism() });
  try {
    const hash = await hasher.hash('benchmark password');
    await Promise.all(Array.from({ length: lanes }, () => hasher.verify('warm up', hash)));
    return (await loadFor(lanes, seconds, () => hasher.verify('x', hash))).perSecond;
  } finally {
    await hasher.close();
  }
}
