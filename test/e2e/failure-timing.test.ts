import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, signIn } from '../support/oidc-flow.js';

// Far above a successful sign-in (~100 ms), so a loaded CI machine cannot blur the two.
const LEGACY_DELAY_MS = 1500;

describe('refused sign-ins take as long as the slowest path (failedSignInTiming)', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ config: { failedSignInTiming: { enabled: true }, legacy: { timeoutMs: 5000 } } });
    assert.ok((await signIn(t.issuer, 'alice', 'wonderland')).tokens);
    t.legacy.delayMs = LEGACY_DELAY_MS;
  });
  after(() => t.close());

  const post = async (login: string, password: string) => {
    const start = await beginAuthorization(t.issuer);
    const started = performance.now();
    const response = await start.agent.request(`${start.interactionUrl}/login`, { form: { login, password } });
    return { status: response.status, ms: performance.now() - started };
  };

  it('answers a migrated user’s wrong password no sooner than an unknown login or a legacy-rejected one', async () => {
    const unknown = await post('nobody-here', 'whatever password');
    const rejected = await post('bob', 'not bobs password');
    assert.equal(unknown.status, 401);
    assert.equal(rejected.status, 401);
    assert.ok(unknown.ms >= LEGACY_DELAY_MS && rejected.ms >= LEGACY_DELAY_MS);

    // Judged locally by one bcrypt verification (~60 ms), yet held to the legacy path's time.
    const wrong = await post('alice', 'not wonderland');
    assert.equal(wrong.status, 401);
    assert.ok(wrong.ms >= LEGACY_DELAY_MS, `${wrong.ms.toFixed(0)} ms`);
  });

  it('does not slow a successful sign-in', async () => {
    const right = await post('alice', 'wonderland');
    assert.equal(right.status, 303);
    assert.ok(right.ms < LEGACY_DELAY_MS, `${right.ms.toFixed(0)} ms`);
  });
});
