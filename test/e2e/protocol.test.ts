import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { alertText } from '../support/html.js';
import { BACKENDS, RP_REDIRECT, startTestIdp, TEST_API, type TestIdp } from '../support/harness.js';
import { beginAuthorization, discover, finishAuthorization, signIn, UserAgent } from '../support/oidc-flow.js';

for (const { backend, skip } of BACKENDS) {
  describe(`OpenID Connect protocol, seen by a standard client (${backend})`, { skip }, () => {
    let t: TestIdp;
    before(async () => {
      t = await startTestIdp({ backend });
    });
    after(() => t.close());

    it('publishes discovery with the code flow only, S256 PKCE, and the standard endpoints', async () => {
      const config = await discover(t.issuer);
      const meta = config.serverMetadata();
      assert.equal(meta.issuer, t.issuer);
      assert.deepEqual(meta.response_types_supported, ['code']);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      for (const endpoint of [
        'authorization_endpoint',
        'token_endpoint',
        'userinfo_endpoint',
        'jwks_uri',
        'revocation_endpoint',
        'introspection_endpoint',
        'end_session_endpoint',
      ] as const) {
        assert.ok(meta[endpoint], `${endpoint} missing`);
      }
      for (const scope of ['openid', 'profile', 'email']) assert.ok(meta.scopes_supported?.includes(scope));
    });

    it('serves RS256 and ES256 signing keys and signs ID tokens with RS256', async () => {
      const jwks = (await (await fetch(`${t.issuer}/jwks`)).json()) as { keys: { alg: string; d?: string }[] };
      assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      assert.ok(
        jwks.keys.every((k) => k.d === undefined),
        'no private key material is published',
      );
      const attempt = await signIn(t.issuer, 'alice', 'wonderland');
      assert.equal(decodeProtectedHeader(attempt.tokens?.id_token ?? '').alg, 'RS256');
    });

    it('answers userinfo, introspection and revocation for the access token', async () => {
      const attempt = await signIn(t.issuer, 'alice', 'wonderland');
      const tokens = attempt.tokens;
      assert.ok(tokens);
      const config = await discover(t.issuer);
      const sub = tokens.claims()?.sub ?? '';

      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, sub);
      assert.equal(userinfo.preferred_username, 'alice');
      assert.equal(userinfo.email, 'alice@example.com');

      const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.sub, sub);
      assert.equal(introspected.preferred_username, 'alice', 'the access token carries the profile claims');
      assert.equal(introspected.email, 'alice@example.com');
      const stranger = await discover(t.issuer, 'thirdParty');
      assert.equal(
        (await oidc.tokenIntrospection(stranger, tokens.access_token)).active,
        false,
        'another client learns nothing',
      );

      await oidc.tokenRevocation(config, tokens.access_token);
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
    });

    it('releases only the claims of the requested scopes', async () => {
      const attempt = await signIn(t.issuer, 'alice', 'wonderland', { scope: 'openid email' });
      const claims = attempt.tokens?.claims();
      assert.equal(claims?.email, 'alice@example.com');
      assert.equal(claims.preferred_username, undefined);
      assert.equal(claims.name, undefined);
    });

    it('rotates refresh tokens: the new one works, the old one is refused', async () => {
      const attempt = await signIn(t.issuer, 'alice', 'wonderland');
      const first = attempt.tokens?.refresh_token;
      assert.ok(first);
      const config = await discover(t.issuer);
      const refreshed = await oidc.refreshTokenGrant(config, first);
      assert.ok(refreshed.refresh_token);
      assert.notEqual(refreshed.refresh_token, first);
      assert.equal(refreshed.claims()?.preferred_username, 'alice');
      await assert.rejects(
        oidc.refreshTokenGrant(config, first),
        (error: Error) => (error.cause as { error?: string }).error === 'invalid_grant',
      );
    });

    it('keeps refresh tokens, access tokens and signing keys valid across an IdP restart on the same store', async () => {
      const attempt = await signIn(t.issuer, 'alice', 'wonderland');
      const tokens = attempt.tokens;
      assert.ok(tokens?.refresh_token);
      const jwksBefore = await (await fetch(`${t.issuer}/jwks`)).text();

      await t.restart();

      assert.equal(await (await fetch(`${t.issuer}/jwks`)).text(), jwksBefore);
      const config = await discover(t.issuer);
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
      assert.equal(refreshed.claims()?.sub, tokens.claims()?.sub);
    });

    it('issues a JWT access token carrying profile claims for a configured API', async () => {
      const attempt = await signIn(t.issuer, 'alice', 'wonderland', {
        scope: 'openid profile email api:read',
        resource: TEST_API,
      });
      const token = attempt.tokens?.access_token ?? '';
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${t.issuer}/jwks`)), {
        issuer: t.issuer,
        audience: TEST_API,
      });
      assert.equal(payload.scope, 'api:read');
      assert.equal(payload.preferred_username, 'alice');
      assert.equal(payload.email, 'alice@example.com');
      assert.equal(payload.sub, attempt.tokens?.claims()?.sub);
    });

    it('requires PKCE from every client, confidential ones too, unless one is let off by its metadata', async () => {
      const withoutPkce = async (client: 'public' | 'firstParty' | 'oldRp') => {
        const config = await discover(t.issuer, client);
        const url = oidc.buildAuthorizationUrl(config, { redirect_uri: RP_REDIRECT, scope: 'openid', state: 's' });
        return new URL((await new UserAgent().request(url.href)).headers.get('location') ?? '', t.issuer);
      };
      for (const client of ['public', 'firstParty'] as const) {
        const location = await withoutPkce(client);
        assert.equal(location.origin + location.pathname, RP_REDIRECT, client);
        assert.equal(location.searchParams.get('error'), 'invalid_request');
        assert.match(location.searchParams.get('error_description') ?? '', /PKCE/);
      }
      // The old relying party goes on to the sign-in page without PKCE.
      assert.match((await withoutPkce('oldRp')).pathname, /^\/interaction\//);
      // With PKCE every client completes the flow.
      assert.ok((await signIn(t.issuer, 'alice', 'wonderland', { client: 'public' })).tokens?.id_token);
    });

    it('shows third-party clients a consent page naming the client, and honours both answers', async () => {
      const shown = await signIn(t.issuer, 'alice', 'wonderland', { client: 'thirdParty' });
      assert.equal(shown.status, 200);
      assert.match(shown.page, /Third Party App/);
      assert.match(shown.page, /See your email address/);
      assert.ok((await signIn(t.issuer, 'alice', 'wonderland', { client: 'thirdParty', consent: true })).tokens);

      // Alice's answer is remembered (test/e2e/consent.test.ts); Bob has not been asked yet, and says no.
      const denied = await beginAuthorization(t.issuer, { client: 'thirdParty' });
      const posted = await denied.agent.request(`${denied.interactionUrl}/login`, {
        form: { login: 'bob', password: 'can-we-fix-it' },
      });
      const consentPage = await denied.agent.follow(posted, t.issuer);
      const answer = await denied.agent.follow(
        await denied.agent.request(`${consentPage.url}/abort`, { form: {} }),
        t.issuer,
      );
      assert.equal(new URL(answer.url).searchParams.get('error'), 'access_denied');
    });

    it('skips the login page while the IdP session lasts, and ends it with RP-initiated logout', async () => {
      const agent = new UserAgent();
      const first = await signIn(t.issuer, 'alice', 'wonderland', { agent });
      const idToken = first.tokens?.id_token ?? '';

      const again = await beginAuthorization(t.issuer, { agent });
      assert.ok(again.interactionUrl.startsWith(RP_REDIRECT), 'signed in without a page');
      await finishAuthorization(again, again.interactionUrl);

      const config = await discover(t.issuer);
      const endSession = oidc.buildEndSessionUrl(config, {
        id_token_hint: idToken,
        post_logout_redirect_uri: 'http://rp.test/',
      });
      const confirm = await agent.request(endSession.href);
      assert.equal(confirm.status, 200);
      const html = await confirm.text();
      assert.match(html, /Sign out\?/);
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '';
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
      const done = await agent.request(new URL(action, t.issuer).href, { form: { xsrf, logout: 'yes' } });
      assert.equal(new URL(done.headers.get('location') ?? '', t.issuer).href.startsWith('http://rp.test/'), true);

      const afterLogout = await beginAuthorization(t.issuer, { agent });
      assert.ok(afterLogout.interactionUrl.startsWith(`${t.issuer}/interaction/`), 'the login page is shown again');
    });

    it('renders protocol errors on the product’s error page, in plain words, the code still there', async () => {
      const response = await fetch(`${t.issuer}/auth?client_id=unknown-client&response_type=code&scope=openid`);
      assert.equal(response.status, 400);
      const html = await response.text();
      assert.match(html, /This application is not registered with this sign-in service/);
      assert.match(html, /<code>invalid_client: /, 'the code for developers');
      assert.match(html, /JIT Identity/);
      const config = await discover(t.issuer, 'firstParty');
      const wrongReturn = oidc.buildAuthorizationUrl(config, {
        redirect_uri: 'https://not-registered.example/cb',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      const refused = await (await fetch(wrongReturn)).text();
      assert.match(refused, /This application is not set up correctly/);
      assert.match(refused, /invalid_redirect_uri/);
    });

    it('answers an unknown address with a styled 404 page, and JSON to JSON clients; serves a favicon', async () => {
      const page = await fetch(`${t.issuer}/no/such/page`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 404);
      assert.match(await page.text(), /There is no page here[\s\S]*stylesheet|stylesheet[\s\S]*There is no page here/);
      const json = await fetch(`${t.issuer}/no/such/page`, { headers: { accept: 'application/json' } });
      assert.deepEqual(((await json.json()) as { error: string }).error, 'not_found');
      const icon = await fetch(`${t.issuer}/favicon.ico`);
      assert.equal(icon.status, 200);
      assert.match(icon.headers.get('content-type') ?? '', /image\/svg\+xml/);
    });

    it('treats a stale interaction link as expired rather than failing', async () => {
      const response = await new UserAgent().request(`${t.issuer}/interaction/does-not-exist`);
      assert.equal(response.status, 400);
      assert.match(await response.text(), /This sign-in page has expired/);
      const agent = new UserAgent();
      const forged = await agent.request(`${t.issuer}/interaction/does-not-exist/login`, {
        form: { login: 'alice', password: 'wonderland' },
      });
      assert.equal(forged.status, 403, 'a form post without the CSRF field is refused first');
      await agent.request(`${t.issuer}/password/forgot`);
      const posted = await agent.request(`${t.issuer}/interaction/does-not-exist/login`, {
        form: { login: 'alice', password: 'wonderland' },
      });
      assert.equal(posted.status, 400);
      assert.equal(alertText(await posted.text()), '');
    });
  });
}
