import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CounterStore } from '../store/store.js';

/**
 * Rate limits on the doors an attacker knocks at (sign-in, the legacy system behind it, sign-up, password reset):
 * sliding windows over counters in the store, so every process sees the same counts. Past half its limit a rule
 * slows answers down progressively; past the limit it refuses them.
 */

export interface RateRule {
  limit: number;
  windowSeconds: number;
  /** Never refuses: past the limit answers stay at the longest delay (a login's failures from anywhere). */
  slowOnly?: boolean;
  /** This rule's cap on the delay, below the limiter's own. */
  maxDelayMs?: number;
}

export type Verdict = { kind: 'allowed'; delayMs: number } | { kind: 'blocked'; retryAfterSeconds: number };

export interface RateCheck {
  rule: string;
  /** What is counted: an IP address, a normalised login. Stored only as a keyed hash. */
  subject: string;
}

export interface RateLimiter {
  /** Counts one attempt against each check and decides. */
  attempt(checks: readonly RateCheck[]): Promise<Verdict>;
  /** Decides from the counts so far, without adding to them. */
  peek(checks: readonly RateCheck[]): Promise<Verdict>;
  /** Counts one event (a failure, say) without deciding. */
  count(check: RateCheck): Promise<void>;
  /** Forgets what was counted for the check (a pair's failures, after it signs in). */
  clear(check: RateCheck): Promise<void>;
  /** Waits out an `allowed` verdict's delay. */
  slowDown(verdict: Verdict): Promise<void>;
}

export interface RateLimiterOptions {
  rules: Readonly<Record<string, RateRule>>;
  counters: CounterStore;
  /** Keys the hashes of subjects, so the store never holds raw IPs or what people typed as logins. */
  secret: string;
  maxDelayMs: number;
  /** The clock the windows are cut by (tests inject one); real time by default. */
  now?: () => number;
}

const BASE_DELAY_MS = 250;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const keyOf = (check: RateCheck) =>
    `${check.rule}:${createHmac('sha256', options.secret).update(check.subject).digest('base64url').slice(0, 32)}`;
  /** The rule of a check, and the fixed window `at` falls in. */
  const windowOf = (check: RateCheck, at: number) => {
    const rule = options.rules[check.rule];
    if (!rule) throw new Error(`unknown rate rule ${check.rule}`);
    const windowMs = rule.windowSeconds * 1000;
    return { rule, windowMs, start: Math.floor(at / windowMs) * windowMs };
  };

  /** The sliding-window estimate: all of this window plus the part of the previous one still inside the window. */
  // A counted attempt is refused once it goes past the limit; a peek (before a failure is counted) once it is reached.
  const judge = async (checks: readonly RateCheck[], add: boolean): Promise<Verdict> => {
    let delayMs = 0;
    let retryAfterSeconds = 0;
    const at = now();
    for (const check of checks) {
      const { rule, windowMs, start } = windowOf(check, at);
      const counts = add
        ? await options.counters.hit(keyOf(check), start, windowMs)
        : await options.counters.peek(keyOf(check), start, windowMs);
      // The previous window's share rounded up: a failure counts until it has slid out entirely, so the moment just
      // past a boundary never lets an attempt through that the moment before refused.
      const estimate = Math.ceil(counts.previous * (1 - (at - start) / windowMs)) + counts.current;
      const reached = add ? estimate > rule.limit : estimate >= rule.limit;
      if (reached && !rule.slowOnly) {
        retryAfterSeconds = Math.max(retryAfterSeconds, Math.ceil((start + windowMs - at) / 1000));
      } else if (estimate > rule.limit / 2) {
        const excess = estimate - rule.limit / 2;
        const cap = Math.min(options.maxDelayMs, rule.maxDelayMs ?? Number.POSITIVE_INFINITY);
        delayMs = Math.max(delayMs, Math.min(cap, BASE_DELAY_MS * 2 ** (excess - 1)));
      }
    }
    return retryAfterSeconds > 0
      ? { kind: 'blocked', retryAfterSeconds }
      : { kind: 'allowed', delayMs: Math.round(delayMs) };
  };

  return {
    attempt: (checks) => judge(checks, true),
    peek: (checks) => judge(checks, false),
    async count(check) {
      const { windowMs, start } = windowOf(check, now());
      await options.counters.hit(keyOf(check), start, windowMs);
    },
    clear: (check) => options.counters.clear(keyOf(check)),
    async slowDown(verdict) {
      if (verdict.kind === 'allowed' && verdict.delayMs > 0) await sleep(verdict.delayMs);
    },
  };
}

/** Both verdicts: blocked if either is, otherwise the longer delay. */
export function stricter(a: Verdict, b: Verdict): Verdict {
  if (a.kind === 'blocked' || b.kind === 'blocked') {
    return {
      kind: 'blocked',
      retryAfterSeconds: Math.max(
        a.kind === 'blocked' ? a.retryAfterSeconds : 0,
        b.kind === 'blocked' ? b.retryAfterSeconds : 0,
      ),
    };
  }
  return { kind: 'allowed', delayMs: Math.max(a.delayMs, b.delayMs) };
}

/** When `rateLimits.enabled` is false: every attempt allowed at once, nothing counted. */
export const unlimited: RateLimiter = {
  attempt: () => Promise.resolve({ kind: 'allowed', delayMs: 0 }),
  peek: () => Promise.resolve({ kind: 'allowed', delayMs: 0 }),
  count: () => Promise.resolve(),
  clear: () => Promise.resolve(),
  slowDown: () => Promise.resolve(),
};
