import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestIdp, TEST_CLIENTS, type TestIdp } from '../support/harness.js';
import { discover, UserAgent } from '../support/oidc-flow.js';
import * as oidc from 'openid-client';
import { apacheRpUris, startApacheRp, type ApacheRp } from '../support/servers/apache-oidc-rp.js';
import { freePort } from '../support/servers/process.js';
import { missingTool } from '../support/tools.js';

/**
 * A relying party made by others, Apache httpd with mod_auth_openidc (Debian's package), its session kept
 * server-side. OpenID Connect Back-Channel Logout 1.0: a user signs in to the protected page through the IdP's hosted
 * page; signing out at the IdP, or an operator ending the user's sessions, sends a logout token to the RP's back
 * channel, which ends the RP's session too. And a rotation of the signing keys: the RP, which caches the JWKS for an
 * hour, keeps signing users in once tokens carry the new kid.
 */
const LEAD_SECONDS = 4;

describe(
  'apache mod_auth_openidc as the relying party: back-channel logout and a signing-key rotation',
  { skip: missingTool('apache-oidc') },
  () => {
    const CLIENT = { client_id: 'apache-rp', client_secret: 'apache-rp-secret-0123456789abcdef0123' };
    let t: TestIdp;
    let rp: ApacheRp;

    before(async () => {
      const port = await freePort();
      const uris = apacheRpUris(port);
      t = await startTestIdp({
        config: {
          signingKeys: { publicationLeadSeconds: LEAD_SECONDS },
          // The RP is on loopback, where the IdP does not call unless told.
          privateNetworkOrigins: [new URL(uris.redirectUri).origin],
          clients: [
            {
              ...CLIENT,
              client_name: 'Apache App',
              redirect_uris: [uris.redirectUri],
              first_party: true,
              backchannel_logout_uri: uris.backchannelLogoutUri,
              backchannel_logout_session_required: true,
            },
            {
              ...TEST_CLIENTS.opsBot,
              grant_types: ['client_credentials'],
              response_types: [],
              redirect_uris: [],
              admin_api: true,
            },
          ],
        },
      });
      rp = await startApacheRp({
        port,
        issuer: t.issuer,
        ...{ clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret },
        scope: 'openid profile',
      });
    });
    after(async () => {
      await rp.stop();
      await t.close();
    });

    const go = (agent: UserAgent, url: string, form?: Record<string, string>) => agent.browse(url, form);

    /** Signs alice in at the RP through the IdP's hosted page; the RP then keeps its own session. */
    const signInAtTheRp = async () => {
      const agent = new UserAgent();
      const page = await go(agent, rp.protectedUrl);
      assert.match(page.url, /\/interaction\//, `the RP sends the user to the IdP's sign-in page\n${rp.logTail()}`);
      const signedIn = await go(agent, `${page.url}/login`, { login: 'alice', password: 'wonderland' });
      assert.equal(signedIn.response.status, 200, `back at the RP, signed in\n${rp.logTail()}`);
      assert.equal(await signedIn.response.text(), 'the protected page\n');
      assert.equal((await agent.request(rp.protectedUrl)).status, 200, 'the RP keeps its session');
      return agent;
    };
    const signedOutOfTheRp = async (agent: UserAgent) => {
      const after = await agent.request(rp.protectedUrl);
      assert.equal(
        after.status,
        302,
        `the RP's session is gone: it sends the user to sign in again\n${rp.logTail()}\n${t.logs.filter((line) => line.includes('back-channel')).join('\n')}`,
      );
      assert.match(after.headers.get('location') ?? '', new RegExp(`^${t.issuer}/auth`));
    };

    it('ends the RP session when the user signs out at the IdP', async () => {
      const agent = await signInAtTheRp();

      // The IdP's own sign-out page, confirmed.
      const confirm = await (await agent.request(`${t.issuer}/session/end`)).text();
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm)?.[1];
      assert.ok(xsrf, 'the sign-out form');
      const out = await go(agent, `${t.issuer}/session/end/confirm`, { xsrf, logout: 'yes' });
      assert.match(await out.response.text(), /signed out/i);

      await signedOutOfTheRp(agent);
      assert.ok(t.logs.some((line) => line.includes('back-channel logout delivered')));
    });

    const adminApi = () => `${t.issuer}/admin/api`;
    const adminToken = async () => {
      const bot = await discover(t.issuer, 'opsBot');
      return (await oidc.clientCredentialsGrant(bot, { scope: 'admin', resource: adminApi() })).access_token;
    };

    it("ends the RP session when an operator ends the user's sessions", async () => {
      const agent = await signInAtTheRp();
      const token = await adminToken();
      const alice = await t.idp.store.accounts.findByLogin('alice');
      assert.ok(alice);
      const revoked = await fetch(`${adminApi()}/accounts/${alice.id}/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'revoke-sessions' }),
      });
      assert.equal(revoked.status, 200);
      await signedOutOfTheRp(agent);
    });

    it('ends the RP session when the user signs out everywhere from their account page', async () => {
      const agent = await signInAtTheRp();
      // The IdP session the RP's sign-in made takes the user to their account page without a new sign-in.
      const security = await go(agent, `${t.issuer}/account/security`);
      assert.equal(security.response.status, 200);
      assert.match(await security.response.text(), /Sign out everywhere/);
      const ended = await agent.request(`${t.issuer}/account/security/sessions/end`, { form: {} });
      assert.equal(ended.status, 200);
      assert.match(await ended.text(), /You are signed out/);
      await signedOutOfTheRp(agent);
      const alice = await t.idp.store.accounts.findByLogin('alice');
      const [event] = await t.idp.store.events.list({ type: 'sessions_ended', limit: 1 });
      assert.equal(event?.type === 'sessions_ended' && event.accountId, alice?.id);
    });

    it('keeps signing users in across a signing-key rotation (it fetches the JWKS again for the new kid)', async () => {
      await signInAtTheRp(); // the RP now holds the JWKS with the old keys only
      const rotated = await fetch(`${adminApi()}/signing-keys/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await adminToken()}` },
      });
      assert.equal(rotated.status, 200);
      const { activeFrom, keys } = (await rotated.json()) as {
        activeFrom: string;
        keys: { kid: string; status: string }[];
      };
      const ahead = keys.filter((key) => key.status === 'published ahead').map((key) => key.kid);
      assert.equal(ahead.length, 2);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(activeFrom) - Date.now()) + 300));
      await signInAtTheRp(); // its ID token carries a kid the RP has not seen
      const listed = await fetch(`${adminApi()}/signing-keys`, {
        headers: { authorization: `Bearer ${await adminToken()}` },
      });
      const now = ((await listed.json()) as { keys: { kid: string; status: string }[] }).keys;
      assert.deepEqual(
        now
          .filter((key) => key.status === 'signing')
          .map((key) => key.kid)
          .sort(),
        [...ahead].sort(),
        'the keys published ahead sign now',
      );
    });
  },
);
