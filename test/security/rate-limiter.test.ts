import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  createRateLimiter,
  stricter,
  unlimited,
  type RateLimiter,
  type RateRule,
} from '../../src/security/rate-limiter.js';
import { signInLimits } from '../../src/security/sign-in-limits.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import type { CounterStore } from '../../src/store/store.js';

/**
 * The rate limiter and the sign-in rules built on it, on an in-memory store and a clock the test moves: windows
 * open, slide and run out without a real wait.
 */

const store = openEmbeddedStore(':memory:');
after(() => store.close());

/** A quarter past noon: a boundary of every window below (a minute, a quarter of an hour). */
const START = Date.UTC(2026, 0, 1, 12, 15, 0);
const MINUTE = 60_000;

/** A clock that stands still until the test moves it. */
function manualClock(at = START) {
  let now = at;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

let keyspace = 0;
/** A limiter of its own (a fresh secret, so no counts are shared with other tests), and the keys it counted under. */
function limiter(rules: Record<string, RateRule>, clock = manualClock(), maxDelayMs = 8000) {
  const keys: string[] = [];
  const counters: CounterStore = {
    hit: (key, start, windowMs) => {
      keys.push(key);
      return store.counters.hit(key, start, windowMs);
    },
    peek: (key, start, windowMs) => store.counters.peek(key, start, windowMs),
    clear: (key) => store.counters.clear(key),
  };
  keyspace += 1;
  const limits = createRateLimiter({
    rules,
    counters,
    secret: `secret-${String(keyspace)}`,
    maxDelayMs,
    now: clock.now,
  });
  return { limits, clock, keys };
}

const check = (subject: string, rule = 'r') => ({ rule, subject });
const allowed = (delayMs = 0) => ({ kind: 'allowed', delayMs }) as const;
const blocked = (retryAfterSeconds: number) => ({ kind: 'blocked', retryAfterSeconds }) as const;

async function attempts(limits: RateLimiter, n: number, subject: string) {
  const verdicts = [];
  for (let i = 0; i < n; i++) verdicts.push(await limits.attempt([check(subject)]));
  return verdicts;
}

describe('rate limiter (injected clock)', () => {
  it('allows up to half the limit at once, then slows down by doubling delays, then refuses until the window ends', async () => {
    const { limits, clock } = limiter({ r: { limit: 6, windowSeconds: 60 } });
    clock.advance(10_000);
    assert.deepEqual(await attempts(limits, 7, '198.51.100.1'), [
      allowed(),
      allowed(),
      allowed(),
      allowed(250),
      allowed(500),
      allowed(1000),
      blocked(50),
    ]);
    clock.advance(20_000);
    assert.deepEqual(await limits.attempt([check('198.51.100.1')]), blocked(30), 'Retry-After counts down');
  });

  it('slides: the previous window weighs what is left of it, and two quiet windows later all is forgotten', async () => {
    const { limits, clock } = limiter({ r: { limit: 4, windowSeconds: 60 } });
    await attempts(limits, 5, 'slider');
    assert.deepEqual(await limits.peek([check('slider')]), blocked(60));
    // Half-way through the next window, half of the previous one's five still counts, rounded up: 3 is one past
    // half the limit, the first step of the delay.
    clock.advance(MINUTE + 30_000);
    assert.deepEqual(await limits.peek([check('slider')]), allowed(250));
    clock.advance(30_000);
    assert.deepEqual(await limits.peek([check('slider')]), allowed(), 'a window later the old counts are gone');
    assert.deepEqual(await attempts(limits, 2, 'slider'), [allowed(), allowed()]);
  });

  it('refuses a peek once the limit is reached, an attempt only once it is passed; a peek counts nothing', async () => {
    const { limits } = limiter({ r: { limit: 2, windowSeconds: 60 } });
    await limits.count(check('peeker'));
    for (let i = 0; i < 3; i++) assert.equal((await limits.peek([check('peeker')])).kind, 'allowed');
    await limits.count(check('peeker'));
    assert.equal((await limits.peek([check('peeker')])).kind, 'blocked');
    assert.equal((await limits.attempt([check('other')])).kind, 'allowed');
  });

  it('forgets a subject it is told to clear, and only that one', async () => {
    const { limits } = limiter({ r: { limit: 2, windowSeconds: 60 } });
    await attempts(limits, 3, 'cleared');
    await attempts(limits, 3, 'kept');
    await limits.clear(check('cleared'));
    assert.deepEqual(await limits.peek([check('cleared')]), allowed());
    assert.equal((await limits.peek([check('kept')])).kind, 'blocked');
  });

  it('caps the delay at the limiter’s maximum and at a rule’s own; a slow-only rule never refuses', async () => {
    const { limits } = limiter(
      {
        r: { limit: 4, windowSeconds: 60 },
        capped: { limit: 40, windowSeconds: 60, maxDelayMs: 300 },
        slow: { limit: 2, windowSeconds: 60, slowOnly: true },
      },
      manualClock(),
      700,
    );
    const delays = async (rule: string, n: number) => {
      const seen = [];
      for (let i = 0; i < n; i++) seen.push(await limits.attempt([check('s', rule)]));
      return seen.map((v) => (v.kind === 'allowed' ? v.delayMs : 'blocked'));
    };
    assert.deepEqual(await delays('r', 4), [0, 0, 250, 500]);
    assert.deepEqual(await delays('capped', 24), [...Array<number>(20).fill(0), 250, 300, 300, 300]);
    assert.deepEqual(await delays('slow', 6), [0, 250, 500, 700, 700, 700]);
  });

  it('decides on several checks at once by the strictest, and so does stricter()', async () => {
    const { limits } = limiter({ loose: { limit: 100, windowSeconds: 60 }, tight: { limit: 1, windowSeconds: 60 } });
    await limits.count(check('x', 'tight'));
    assert.deepEqual(await limits.peek([check('x', 'loose'), check('x', 'tight')]), blocked(60));
    assert.deepEqual(stricter(allowed(250), allowed(1000)), allowed(1000));
    assert.deepEqual(stricter(allowed(1000), blocked(3)), blocked(3));
    assert.deepEqual(stricter(blocked(7), blocked(3)), blocked(7));
  });

  it('stores subjects only as keyed hashes', async () => {
    const { limits, keys } = limiter({ r: { limit: 10, windowSeconds: 60 } });
    await limits.attempt([check('203.0.113.9')]);
    await limits.count(check('Alice@Example.com'));
    assert.equal(keys.length, 2);
    for (const key of keys) {
      assert.match(key, /^r:[\w-]{32}$/);
      assert.ok(!key.includes('203.0.113.9') && !key.toLowerCase().includes('alice'));
    }
  });

  it('refuses an unknown rule, and unlimited allows everything', async () => {
    const { limits } = limiter({ r: { limit: 1, windowSeconds: 60 } });
    await assert.rejects(limits.attempt([check('x', 'nope')]), /unknown rate rule nope/);
    assert.deepEqual(await unlimited.attempt([check('x')]), allowed());
    assert.deepEqual(await unlimited.peek([check('x')]), allowed());
  });
});

/** The rules as the app builds them (src/app.ts), with small limits. */
const SIGN_IN_RULES: Record<string, RateRule> = {
  signInPerAddress: { limit: 50, windowSeconds: 900 },
  signInFailuresPerPair: { limit: 3, windowSeconds: 900 },
  signInFailuresPerLogin: { limit: 6, windowSeconds: 900, slowOnly: true, maxDelayMs: 3000 },
  signInFailuresPerAddress: { limit: 10, windowSeconds: 900 },
};

function signIns(rules = SIGN_IN_RULES) {
  const { limits, clock } = limiter(rules);
  return { limits: signInLimits(limits), clock };
}

async function refuse(limits: ReturnType<typeof signInLimits>, address: string, login: string, times = 1) {
  for (let i = 0; i < times; i++) await limits.after(address, login, 'refused');
}

describe('sign-in limits (injected clock)', () => {
  it('refuses the pair that failed too often, whatever the login’s spelling, and no other pair', async () => {
    const { limits } = signIns();
    await refuse(limits, '192.0.2.1', 'carol', 3);
    assert.equal((await limits.before('192.0.2.1', 'carol')).kind, 'blocked');
    assert.equal((await limits.before('192.0.2.1', ' CAROL ')).kind, 'blocked', 'the login is normalised');
    assert.deepEqual(await limits.before('192.0.2.2', 'carol'), allowed(), 'carol from elsewhere');
    assert.deepEqual(await limits.before('192.0.2.1', 'dave'), allowed(), 'another login from the address');
  });

  it('clears the pair when it signs in', async () => {
    const { limits } = signIns();
    await refuse(limits, '192.0.2.1', 'erin', 2);
    await limits.after('192.0.2.1', 'erin', 'signed-in');
    await refuse(limits, '192.0.2.1', 'erin', 2);
    assert.equal((await limits.before('192.0.2.1', 'erin')).kind, 'allowed');
  });

  it('only slows a login that fails from everywhere, up to its cap, so a stranger cannot lock its owner out', async () => {
    const { limits } = signIns();
    for (let i = 0; i < 12; i++) await refuse(limits, `198.51.100.${String(i)}`, 'frank');
    assert.deepEqual(await limits.before('203.0.113.7', 'frank'), allowed(3000));
  });

  it('refuses an address spraying many logins', async () => {
    const { limits } = signIns();
    for (let i = 0; i < 10; i++) await refuse(limits, '192.0.2.66', `user${String(i)}`);
    assert.equal((await limits.before('192.0.2.66', 'someone-new')).kind, 'blocked');
    assert.equal((await limits.before('192.0.2.67', 'someone-new')).kind, 'allowed');
  });

  it('bounds an address’s attempts of any outcome, counting only attempts, not peeks at failures', async () => {
    const { limits } = signIns({ ...SIGN_IN_RULES, signInPerAddress: { limit: 5, windowSeconds: 900 } });
    const verdicts = [];
    for (let i = 0; i < 6; i++) verdicts.push((await limits.before('192.0.2.9', 'gina')).kind);
    assert.deepEqual(verdicts, ['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'blocked']);
  });

  it('lets a refused pair in again once its window has run out, without waiting for it', async () => {
    const { limits, clock } = signIns();
    await refuse(limits, '192.0.2.1', 'hank', 3);
    const verdict = await limits.before('192.0.2.1', 'hank');
    assert.deepEqual(verdict, blocked(900));
    clock.advance(899_000);
    assert.deepEqual(await limits.before('192.0.2.1', 'hank'), blocked(1), 'the last second of the window');
    // The next window still weighs the previous one's failures: nearly all of them just after the boundary.
    clock.advance(1000);
    assert.equal((await limits.before('192.0.2.1', 'hank')).kind, 'blocked');
    // A second past the boundary the three weigh 2.997: rounded up, still the limit (no extra guess at a boundary).
    clock.advance(1000);
    assert.equal((await limits.before('192.0.2.1', 'hank')).kind, 'blocked');
    clock.advance(899_000);
    assert.deepEqual(await limits.before('192.0.2.1', 'hank'), allowed());
  });
});
