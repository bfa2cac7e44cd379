import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createPasswordHasher } from '../../src/passwords/password-hasher.js';
import { WORKER_THREAD_NICENESS } from '../../src/passwords/thread-priority.js';

/** Each thread of this process with its nice value, from /proc (field 19 of a thread's stat line). */
function niceByThread(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const id of readdirSync('/proc/self/task')) {
    try {
      const fields = readFileSync(`/proc/self/task/${id}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      nice.set(Number(id), Number(fields[16]));
    } catch {
      // a thread that ended while this read the list
    }
  }
  return nice;
}

test(
  'hashing threads run below the event loop, which keeps its priority',
  { skip: process.platform !== 'linux' },
  async () => {
    const before = niceByThread();
    const hasher = await createPasswordHasher({ cost: 4, threads: 2 });
    try {
      // Work for both threads at once, so that each has loaded the worker module (which lowers it); then /proc is
      // read until both show it, for at most two seconds.
      const hash = await hasher.hash('a password');
      const verified = await Promise.all(Array.from({ length: 8 }, () => hasher.verify('a password', hash)));
      assert.ok(verified.every(Boolean));
      const loweredCount = () =>
        [...niceByThread()].filter(([id, nice]) => !before.has(id) && nice === WORKER_THREAD_NICENESS).length;
      for (let waited = 0; loweredCount() < 2 && waited < 2000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const after = niceByThread();
      const lowered = [...after].filter(([id, nice]) => !before.has(id) && nice === WORKER_THREAD_NICENESS);
      assert.equal(lowered.length, 2, 'both hashing threads are lowered');
      assert.equal(after.get(process.pid), 0, 'the event loop keeps its priority');
      assert.ok(
        [...after].every(([id, nice]) => nice === 0 || lowered.some(([low]) => low === id)),
        'no other thread was lowered',
      );
    } finally {
      await hasher.close();
    }
  },
);
