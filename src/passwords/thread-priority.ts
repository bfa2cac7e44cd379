import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/**
 * The nice value of the worker threads that hash (and checkpoint the embedded store). Hashes fill every core the event
 * loop leaves idle, so on a machine without a spare core a request arriving for the event loop would wait for the
 * scheduler to take a core from a hash (several milliseconds on Linux), although a hash is never in a hurry: it takes
 * 60–100 ms anyway. Lowered, a hashing thread yields at once to the event loop and keeps every cycle the loop does
 * not use, so throughput stays and the loop's latency stops depending on how busy the hashes are.
 */
export const WORKER_THREAD_NICENESS = 10;

/**
 * Lowers the calling worker thread's scheduling priority to `WORKER_THREAD_NICENESS`; returns whether it did. Only on
 * Linux, where a nice value belongs to a thread (elsewhere it is the whole process's, which must not be lowered), and
 * never on the main thread. Lowering one's own priority needs no privilege; a sandbox without `/proc` leaves the
 * thread as it is.
 */
export function lowerWorkerThreadPriority(): boolean {
  if (isMainThread || process.platform !== 'linux') return false;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    setPriority(threadId, WORKER_THREAD_NICENESS);
    return true;
  } catch {
    return false;
  }
}
