import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertText } from '../support/html.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { eventually } from '../support/eventually.js';
import { beginAuthorization, signIn, UserAgent } from '../support/oidc-flow.js';
import { inFlight } from '../support/in-flight.js';
import type { LegacyUserRecord } from '../../src/demo/legacy-service.js';

/** A browser at another address, as a trusted proxy in front of the IdP reports it. */
const from = (address: string) => new UserAgent({ headers: { 'x-forwarded-for': address } });

const timed = async (issuer: string, login: string, password: string, address: string) => {
  const started = performance.now();
  const attempt = await signIn(issuer, login, password, { agent: from(address) });
  return { status: attempt.status, page: attempt.page, ms: performance.now() - started };
};

describe('sign-in limits at their defaults: the pair is throttled, not the person', { timeout: 120_000 }, () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      config: { trustProxy: true, rateLimits: { enabled: true }, failedSignInTiming: { enabled: false } },
    });
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
  });
  after(() => t.close());

  for (const [login, password, state] of [
    ['alice', 'wonderland', 'migrated'],
    ['bob', 'can-we-fix-it', 'not yet migrated'],
  ] as const) {
    it(`a stranger guessing ${login}'s password (${state}) blocks only his own address`, async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await timed(t.issuer, login, `guess-${i}`, '203.0.113.66')).status);
      assert.deepEqual(statuses, [...Array<number>(10).fill(401), 429, 429]);
      const blocked = await timed(t.issuer, login, password, '203.0.113.66');
      assert.equal(blocked.status, 429, 'the stranger is refused even with the right password');
      assert.equal(alertText(blocked.page), 'Too many attempts. Please wait a few minutes and try again.');
      const rightful = await timed(t.issuer, login, password, '198.51.100.7');
      assert.equal(rightful.status, 303, `${login} signs in from her own address`);
      assert.ok(rightful.ms < 2000, `without waiting: ${Math.round(rightful.ms)} ms`);
    });
  }

  it('keeps counting in the store: a restarted process still refuses the stranger, and only him', async () => {
    await t.restart();
    assert.equal((await timed(t.issuer, 'alice', 'wonderland', '203.0.113.66')).status, 429);
    assert.equal((await timed(t.issuer, 'alice', 'wonderland', '198.51.100.8')).status, 303);
  });

  it('forgives a pair its mistakes once it signs in', async () => {
    for (let i = 0; i < 8; i++) assert.equal((await timed(t.issuer, 'carol', `typo-${i}`, '192.0.2.10')).status, 401);
    assert.equal((await timed(t.issuer, 'carol', 'higher further faster', '192.0.2.10')).status, 303);
    // Had the eight typos still counted, the third of these would be refused.
    for (let i = 0; i < 3; i++) assert.equal((await timed(t.issuer, 'carol', `typo-${i}`, '192.0.2.10')).status, 401);
  });
});

describe('sign-in limits: a login hammered from everywhere is slowed, never locked', { timeout: 120_000 }, () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      config: {
        trustProxy: true,
        rateLimits: { enabled: true, signInFailuresPerLogin: { limit: 6, windowSeconds: 900 }, maxLoginDelayMs: 700 },
        failedSignInTiming: { enabled: false },
      },
    });
  });
  after(() => t.close());

  it('slows every attempt on the login up to its cap, and lets the right password through', async () => {
    // Twelve strangers, one wrong password each: no pair comes near its limit, the login goes far past its own.
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const attempt = await timed(t.issuer, 'alice', `spread-${i}`, `203.0.113.${i + 1}`);
      assert.equal(attempt.status, 401, 'never refused for the login as a whole');
      delays.push(attempt.ms);
    }
    assert.ok(Math.max(...delays.slice(9)) >= 650, `slowed to the cap: ${delays.map(Math.round).join(', ')} ms`);
    const rightful = await timed(t.issuer, 'alice', 'wonderland', '198.51.100.20');
    assert.equal(rightful.status, 303);
    // The upper bound only has to tell the 700 ms cap from none (the limiter's own 8 s): wide for a loaded machine.
    assert.ok(rightful.ms >= 650 && rightful.ms < 6000, `waits the cap, then gets in: ${Math.round(rightful.ms)} ms`);
  });
});

describe('sign-in limits: an office behind one address, and a sprayer behind another', { timeout: 180_000 }, () => {
  const OFFICE = 300;
  const staff: LegacyUserRecord[] = Array.from({ length: OFFICE }, (_, i) => ({
    password: `office-password-${i}`,
    profile: { uid: `O-${i}`, user_name: `staff${i}`, mail: `staff${i}@office.example`, first: 'Staff', last: `${i}` },
  }));
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      users: staff,
      config: {
        trustProxy: true,
        // The per-address failure limit scaled down from 200 to 40 so the sprayer is refused within seconds; the
        // office keeps the same proportion to it as a 1,000-person office has to the default.
        rateLimits: { enabled: true, signInFailuresPerAddress: { limit: 40, windowSeconds: 900 }, maxDelayMs: 150 },
        failedSignInTiming: { enabled: false },
      },
    });
  });
  after(() => t.close());

  it('moves the whole office on its first morning, one in ten mistyping first, without one refusal', async () => {
    const outcomes = await inFlight(
      8,
      staff.map((user, i) => async () => {
        const login = user.profile.user_name;
        const typo = i % 10 === 0 ? (await timed(t.issuer, login, `${user.password}x`, '192.0.2.200')).status : 401;
        return { typo, right: (await timed(t.issuer, login, user.password, '192.0.2.200')).status };
      }),
    );
    assert.deepEqual(
      outcomes.filter((o) => o.typo !== 401 || o.right !== 303),
      [],
      'every typo refused as wrong, every right password signed in',
    );
    assert.deepEqual(await t.idp.store.accounts.countByOrigin(), { migrated: OFFICE, registered: 0, imported: 0 });
  });

  it('refuses the sprayer past the per-address limit, while the office goes on', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++)
      statuses.push((await timed(t.issuer, `staff${i}`, 'Summer2026!', '203.0.113.250')).status);
    assert.deepEqual(statuses.slice(0, 40), Array<number>(40).fill(401));
    assert.deepEqual(statuses.slice(40), Array<number>(5).fill(429));
    assert.equal((await timed(t.issuer, 'staff7', 'office-password-7', '192.0.2.200')).status, 303);
  });
});

describe('the same limits whatever the migration state (defaults)', { timeout: 180_000 }, () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ config: { trustProxy: true, rateLimits: { enabled: true } } });
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
  });
  after(() => t.close());

  it('answers an unknown, an unmigrated and a migrated login alike, attempt by attempt', async () => {
    // The three sequences interleaved, so each sees the same floor of the timing equaliser at the same step.
    const kinds = { unknown: 'nobody-at-all', unmigrated: 'carol', migrated: 'alice' } as const;
    const seen: Record<keyof typeof kinds, { status: number; ms: number; text: string }[]> = {
      unknown: [],
      unmigrated: [],
      migrated: [],
    };
    for (let i = 0; i < 12; i++) {
      for (const [kind, login] of Object.entries(kinds) as [keyof typeof kinds, string][]) {
        const attempt = await timed(t.issuer, login, `guess-${i}`, '203.0.113.99');
        seen[kind].push({ status: attempt.status, ms: attempt.ms, text: alertText(attempt.page) });
      }
    }
    const statuses = (kind: keyof typeof kinds) => seen[kind].map((a) => a.status);
    assert.deepEqual(statuses('unknown'), [...Array<number>(10).fill(401), 429, 429]);
    assert.deepEqual(statuses('unmigrated'), statuses('unknown'));
    assert.deepEqual(statuses('migrated'), statuses('unknown'));
    for (let i = 0; i < 12; i++) {
      const texts = new Set(Object.values(seen).map((attempts) => attempts[i]?.text));
      assert.equal(texts.size, 1, `attempt ${i + 1}: one message`);
      const times = Object.values(seen).map((attempts) => attempts[i]?.ms ?? 0);
      // Delays grow from the 6th attempt (250 ms, then doubling): each step's three times stay close together.
      assert.ok(
        Math.max(...times) - Math.min(...times) < 250,
        `attempt ${i + 1}: ${times.map(Math.round).join(' / ')} ms (unknown / unmigrated / migrated)`,
      );
    }
  });
});

describe('sign-up and password reset limits', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      config: {
        rateLimits: {
          enabled: true,
          signUpPerIp: { limit: 3, windowSeconds: 600 },
          signUpPerLogin: { limit: 1, windowSeconds: 600 },
          resetPerLogin: { limit: 1, windowSeconds: 600 },
          maxDelayMs: 800,
        },
      },
    });
  });
  after(() => t.close());

  it('limits sign-ups per name and per client', async () => {
    const register = async (name: string) => {
      const start = await beginAuthorization(t.issuer);
      await start.agent.request(`${start.interactionUrl}/register`);
      return start.agent.request(`${start.interactionUrl}/register`, {
        form: { username: name, email: `${name}@example.org`, password: 'a long password' },
      });
    };
    assert.equal((await register('first-signup')).status, 303);
    const sameName = await register('FIRST-signup');
    assert.equal(sameName.status, 429, 'the same name, in any case, is limited before it is looked up');
    assert.ok(Number(sameName.headers.get('retry-after')) > 0);
    assert.equal((await register('second-signup')).status, 303);
    assert.equal((await register('third-signup')).status, 429, 'and one client past its limit');
  });

  it('answers reset requests past the limit the same way, and sends nothing more', async () => {
    const outbox = t.idp.outbox ?? [];
    // The sign-ups before got links to confirm their addresses: only reset mails count here.
    const resets = () => outbox.filter((mail) => mail.subject.startsWith('Reset your')).length;
    const ask = async () => {
      const agent = new UserAgent();
      await agent.request(`${t.issuer}/password/forgot`);
      const response = await agent.request(`${t.issuer}/password/forgot`, { form: { login: 'alice', returnTo: '' } });
      return { status: response.status, text: await response.text() };
    };
    const first = await ask();
    await eventually(() => resets() > 0, { what: 'the reset mail' });
    assert.equal(resets(), 1);
    const second = await ask();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(second.status, first.status);
    assert.equal(resets(), 1, 'no second mail');
  });
});
