import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { normaliseLogin } from '../../../src/accounts/account.js';
import { migratedIds } from '../../fixtures/legacy-module.js';
import { alertText } from '../../support/html.js';
import { startTestIdp, type TestIdp } from '../../support/harness.js';
import { eventually } from '../../support/eventually.js';
import { beginAuthorization, signIn } from '../../support/oidc-flow.js';

const MODULE = fileURLToPath(new URL('../../fixtures/legacy-module.ts', import.meta.url));

describe('custom module connector: JIT sign-in through the hosted page', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      legacy: { kind: 'module', source: 'custom-module', path: MODULE, timeoutMs: 300, options: { tenant: 'acme' } },
    });
  });
  after(() => t.close());

  const lastFailure = async () => {
    const [event] = await t.idp.store.events.list({ type: 'migration_failed' });
    assert.ok(event?.type === 'migration_failed');
    return event;
  };

  it('migrates a user the module vouches for, and tells the module afterwards', async () => {
    const attempt = await signIn(t.issuer, 'mia', 'mia-old-password');
    assert.equal(attempt.status, 303);
    const account = await t.idp.store.accounts.findByLogin(normaliseLogin('mia'));
    assert.deepEqual(account?.legacy && { source: account.legacy.source, id: account.legacy.id }, {
      source: 'custom-module',
      id: 'M-1',
    });
    assert.equal(attempt.tokens?.claims()?.name, 'Mia Module');
    await eventually(() => migratedIds.includes('M-1'), { what: 'the write-back' });
    assert.deepEqual(migratedIds, ['M-1']);
  });

  it('answers a wrong password and a locked account as the module says', async () => {
    assert.equal((await signIn(t.issuer, 'newcomer-unknown', 'x')).status, 401);
    assert.equal((await signIn(t.issuer, 'max', 'wrong')).status, 401);
    assert.equal((await signIn(t.issuer, 'max', 'max-old-password')).status, 403);
    assert.equal(await t.idp.store.accounts.findByLogin('max'), undefined);
  });

  it('fails closed when the module throws, answers garbage or overruns its time', async () => {
    for (const [login, cause] of [
      ['explode', /module authenticate threw \(the legacy database is on fire\)/],
      ['garbage', /module authenticate gave a malformed answer/],
      ['slow', /^timeout$/],
    ] as const) {
      const attempt = await signIn(t.issuer, login, 'whatever');
      assert.equal(attempt.status, 429, login);
      assert.match(alertText(attempt.page), /temporarily unavailable/);
      assert.match((await lastFailure()).cause ?? '', cause);
    }
  });

  it('uses the module’s findUser for sign-up checks', async () => {
    const start = await beginAuthorization(t.issuer);
    const response = await start.agent.request(`${start.interactionUrl}/register`, {
      form: { username: 'max', email: 'someone-else@example.com', password: 'a long password' },
    });
    assert.equal(response.status, 409);
  });
});
