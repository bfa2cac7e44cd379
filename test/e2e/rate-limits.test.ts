import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertText } from '../support/html.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, signIn, UserAgent } from '../support/oidc-flow.js';

describe('rate limits, counted in the store', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      config: {
        rateLimits: {
          enabled: true,
          signInFailuresPerLogin: { limit: 4, windowSeconds: 600 },
          legacyPerIp: { limit: 4, windowSeconds: 600 },
          signUpPerIp: { limit: 3, windowSeconds: 600 },
          signUpPerLogin: { limit: 1, windowSeconds: 600 },
          resetPerLogin: { limit: 1, windowSeconds: 600 },
          maxDelayMs: 800,
        },
      },
    });
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
  });
  after(() => t.close());

  const timed = async (login: string, password: string) => {
    const started = performance.now();
    const attempt = await signIn(t.issuer, login, password);
    return { ...attempt, ms: performance.now() - started };
  };

  it('slows down repeated wrong passwords for one login, then refuses even the right one, neutrally', async () => {
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const attempt = await timed('alice', `wrong-${i}`);
      assert.equal(attempt.status, 401);
      times.push(attempt.ms);
    }
    // Three failures counted against a limit of four: the fourth attempt waits 250 ms before it is even judged.
    assert.ok((times[3] ?? 0) >= 250, `the fourth is slowed down: ${times.map(Math.round).join(', ')} ms`);
    const blocked = await signIn(t.issuer, 'alice', 'wonderland');
    assert.equal(blocked.status, 429);
    assert.equal(alertText(blocked.page), 'Too many attempts. Please wait a few minutes and try again.');
    assert.equal((await signIn(t.issuer, 'bob', 'can-we-fix-it')).status, 303, 'another login is not affected');
  });

  it('keeps the count in the store: a restarted process still refuses', async () => {
    await t.restart();
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 429);
  });

  it('limits first sign-ins that would reach the legacy system, before it is asked', async () => {
    t.legacy.resetCalls();
    // alice's and bob's migrations above reached the legacy system; two more fit in the limit of four.
    assert.equal((await signIn(t.issuer, 'carol', 'wrong')).status, 401);
    assert.equal((await signIn(t.issuer, 'nobody-here', 'guess')).status, 401);
    const refused = await signIn(t.issuer, 'carol', 'higher further faster');
    assert.equal(refused.status, 429);
    assert.equal(t.legacy.calls.authenticate, 2, 'the third was not put to the legacy system');
    const [event] = await t.idp.store.events.list({ type: 'migration_failed' });
    assert.deepEqual(event?.type === 'migration_failed' && event.reason, 'rate_limited');
    assert.equal((await signIn(t.issuer, 'bob', 'can-we-fix-it')).status, 303, 'local accounts are unaffected');
  });

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
    const ask = async () => {
      const agent = new UserAgent();
      await agent.request(`${t.issuer}/password/forgot`);
      const response = await agent.request(`${t.issuer}/password/forgot`, { form: { login: 'alice', returnTo: '' } });
      return { status: response.status, text: await response.text() };
    };
    const first = await ask();
    for (let i = 0; i < 100 && outbox.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(outbox.length, 1);
    const second = await ask();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(second.status, first.status);
    assert.equal(outbox.length, 1, 'no second mail');
  });
});
