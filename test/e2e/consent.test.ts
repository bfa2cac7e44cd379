import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { signIn, UserAgent } from '../support/oidc-flow.js';

/**
 * Consent is the user's decision about an application, not about a browser session: given once, it holds in every
 * new session until the user takes it back on "Apps you allowed".
 */
describe('consent remembered per user and application, until revoked', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp();
  });
  after(() => t.close());

  /** The user's own page, reached through the IdP's sign-in (a fresh browser each time unless given one). */
  const appsPage = async (agent = new UserAgent()) => {
    const first = await agent.request(`${t.issuer}/account/apps`);
    if (first.status === 200) return { agent, html: await first.text() };
    const page = await agent.follow(first, t.issuer);
    const posted = await agent.request(`${page.url}/login`, { form: { login: 'alice', password: 'wonderland' } });
    const landed = await agent.follow(posted, t.issuer);
    assert.equal(new URL(landed.url).pathname, '/account/apps');
    return { agent, html: await landed.response.text() };
  };

  it('asks a third-party application once, then not again in a new browser session', async () => {
    const asked = await signIn(t.issuer, 'alice', 'wonderland', { client: 'thirdParty' });
    assert.equal(asked.status, 200, 'the consent page');
    assert.match(asked.page, /Third Party App/);
    assert.ok((await signIn(t.issuer, 'alice', 'wonderland', { client: 'thirdParty', consent: true })).tokens);
    // A new browser: a new session, and no consent page.
    const later = await signIn(t.issuer, 'alice', 'wonderland', { client: 'thirdParty' });
    assert.ok(later.tokens, 'no consent asked again');
  });

  it('lists the applications the user allowed, and asks again once one is revoked', async () => {
    const { agent, html } = await appsPage();
    assert.match(html, /<strong>Third Party App<\/strong>/);
    assert.doesNotMatch(html, /console|First Party App/, 'only applications the user consented to');
    const revoked = await agent.request(`${t.issuer}/account/apps/revoke`, { form: { clientId: 'third-party-rp' } });
    assert.equal(revoked.status, 302);
    assert.match((await appsPage(agent)).html, /You have not allowed any application yet/);
    const again = await signIn(t.issuer, 'alice', 'wonderland', { client: 'thirdParty' });
    assert.equal(again.status, 200, 'asked again');
    assert.match(again.page, /Allow access\?|Third Party App/);
  });

  it('asks again for scopes beyond those allowed, and only for those', async () => {
    const narrow = 'openid profile email';
    assert.ok(
      (await signIn(t.issuer, 'bob', 'can-we-fix-it', { client: 'thirdParty', scope: narrow, consent: true })).tokens,
    );
    const wider = 'openid profile email roles';
    const asked = await signIn(t.issuer, 'bob', 'can-we-fix-it', { client: 'thirdParty', scope: wider });
    assert.equal(asked.status, 200, 'the consent page again');
    assert.match(asked.page, /See your roles/);
    assert.doesNotMatch(asked.page, /See your email address/, 'what was allowed is not asked again');
    const allowed = await signIn(t.issuer, 'bob', 'can-we-fix-it', {
      client: 'thirdParty',
      scope: wider,
      consent: true,
    });
    assert.ok(allowed.tokens);
    assert.ok(
      (await signIn(t.issuer, 'bob', 'can-we-fix-it', { client: 'thirdParty', scope: wider })).tokens,
      'remembered',
    );
  });
});
