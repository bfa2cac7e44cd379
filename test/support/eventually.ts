import { setTimeout as sleep } from 'node:timers/promises';

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `check` until it returns (or resolves to) a truthy value, and returns that; a `check` that throws (an
 * assertion, say) is tried again. Fails naming `what`, with the last error, once `timeoutMs` has passed. For conditions a
 * test cannot await directly: a background write-back, a webhook delivery, a counter another process bumps.
 *
 * The timeout is a bound on a hang, not a measurement: keep it generous (the default is 10 s), since a loaded
 * machine may take many times longer than a quiet one.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  {
    timeoutMs = 10_000,
    intervalMs = 10,
    what = 'the condition',
  }: {
    timeoutMs?: number;
    intervalMs?: number;
    /** What is waited for, for the failure; a function to describe the state at the time of failure. */
    what?: string | (() => string);
  } = {},
): Promise<Truthy<T>> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      const described = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${described}${cause}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}
