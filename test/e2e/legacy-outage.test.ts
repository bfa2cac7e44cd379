import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { signIn } from '../support/oidc-flow.js';

describe('a legacy outage seen from the IdP', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ config: { legacy: { resilience: { breakerFailures: 2, breakerHalfOpenAfterMs: 400 } } } });
  });
  after(() => t.close());

  const readiness = async () =>
    (await (await fetch(`${t.issuer}/readyz`)).json()) as { status: string; checks: { legacy: { circuit: string } } };

  it('stops calling a failing legacy system, keeps serving migrated users, stays ready, and recovers', async () => {
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
    t.legacy.fault = 'error';
    // The same page as a store outage, but below 500: load balancers must not eject a healthy IdP.
    assert.equal((await signIn(t.issuer, 'bob', 'can-we-fix-it')).status, 429);
    assert.equal((await signIn(t.issuer, 'carol', 'higher further faster')).status, 429);
    assert.deepEqual(await readiness(), {
      status: 'ready',
      checks: {
        ...(await readiness()).checks,
        legacy: { source: 'test-legacy', circuit: 'open', inFlight: 0, queued: 0 },
      },
    });

    t.legacy.resetCalls();
    assert.equal((await signIn(t.issuer, 'bob', 'can-we-fix-it')).status, 429);
    assert.equal(t.legacy.calls.authenticate, 0, 'an open circuit spares the legacy system');
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303, 'migrated users are unaffected');
    const [failure] = await t.idp.store.events.list({ type: 'migration_failed' });
    assert.deepEqual(failure?.type === 'migration_failed' && failure.cause, 'circuit open');

    t.legacy.fault = 'none';
    await new Promise((resolve) => setTimeout(resolve, 450));
    assert.equal((await signIn(t.issuer, 'bob', 'can-we-fix-it')).status, 303);
    assert.equal((await readiness()).checks.legacy.circuit, 'closed');
  });
});
