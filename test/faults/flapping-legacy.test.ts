import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LegacyUserRecord } from '../../src/demo/legacy-service.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { signIn } from '../support/oidc-flow.js';

const USERS = 30;
const users: LegacyUserRecord[] = Array.from({ length: USERS }, (_, i) => ({
  password: `flap-password-${i}`,
  profile: { uid: `F-${i}`, user_name: `flap${i}`, mail: `flap${i}@example.com`, first: 'Flap', last: String(i) },
}));

describe('a flapping legacy system (every other call refused, failed or answered with garbage)', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      users: [
        ...users,
        {
          password: 'steady-password',
          profile: { uid: 'F-S', user_name: 'steady', mail: 'steady@example.com', first: 'Steady', last: 'User' },
        },
      ],
      // The real breaker, with a short cool-down so the suite does not wait ten seconds per opening.
      config: { legacy: { resilience: { breakerFailures: 5, breakerHalfOpenAfterMs: 100 } } },
    });
    assert.ok((await signIn(t.issuer, 'steady', 'steady-password')).tokens);
    t.legacy.fault = 'flapping';
  });
  after(() => t.close());

  it('migrates everyone exactly once as they retry, and never mistakes a fault for a wrong password', async () => {
    const statuses = new Map<number, number>();
    const subs = await Promise.all(
      users.map(async (user) => {
        for (let attempt = 0; attempt < 60; attempt++) {
          const result = await signIn(t.issuer, user.profile.user_name, user.password);
          statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
          if (result.tokens) return result.tokens.claims()?.sub;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return undefined;
      }),
    );
    // Only two answers are possible: signed in, or "try again"; never 401 or 500.
    assert.deepEqual([...statuses.keys()].sort(), [303, 429]);
    assert.ok((statuses.get(429) ?? 0) > 0, 'the faults were felt');
    assert.equal(new Set(subs).size, USERS);
    for (const [i, sub] of subs.entries()) {
      const account = await t.idp.store.accounts.findByLegacyId('test-legacy', `F-${i}`);
      assert.equal(account?.id, sub);
    }
    const migrated = await t.idp.store.events.list({ type: 'migrated' });
    assert.equal(migrated.length, USERS + 1);
  });

  it('keeps serving migrated users without asking it', async () => {
    t.legacy.resetCalls();
    for (let i = 0; i < 5; i++) assert.ok((await signIn(t.issuer, 'steady', 'steady-password')).tokens);
    assert.equal(t.legacy.calls.authenticate, 0);
  });
});
