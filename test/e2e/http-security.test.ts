import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { RP_REDIRECT, startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, csrfFieldOf, discover, signIn, UserAgent } from '../support/oidc-flow.js';

describe('HTTP hardening', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp();
  });
  after(() => t.close());

  it('sends a strict CSP, no framing, no referrer and no sniffing on the hosted pages', async () => {
    const start = await beginAuthorization(t.issuer);
    const page = await start.agent.request(start.interactionUrl);
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    }
    assert.doesNotMatch(csp, /unsafe-inline|form-action/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('strict-transport-security'), null, 'no HSTS on plain http');
  });

  it('answers the JSON endpoints with the short API header set: nothing to render, nothing to frame', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/me', '/healthz']) {
      const answer = await fetch(`${t.issuer}${path}`);
      assert.equal(answer.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'", path);
      assert.equal(answer.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(answer.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(answer.headers.get('cross-origin-opener-policy'), null, path);
    }
  });

  it('keeps form_post responses working: the CSP allows exactly their inline script', async () => {
    const agent = new UserAgent();
    await signIn(t.issuer, 'alice', 'wonderland', { agent });
    const config = await discover(t.issuer);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: RP_REDIRECT,
      scope: 'openid',
      response_mode: 'form_post',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const answer = await agent.follow(await agent.request(url.href), t.issuer);
    const html = await answer.response.text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const hash = `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
    assert.ok(answer.response.headers.get('content-security-policy')?.includes(hash), 'the script’s hash is allowed');
    assert.match(html, /name="code"/);
  });

  it('refuses a hosted form posted without this browser’s CSRF token', async () => {
    const start = await beginAuthorization(t.issuer);
    const other = new UserAgent();
    await other.request(`${t.issuer}/password/forgot`);
    // The victim's browser (start.agent) posts with a token taken from another browser: refused.
    const csrf = csrfFieldOf(await (await other.request(`${t.issuer}/password/forgot`)).text()) ?? '';
    const forged = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'alice', password: 'wonderland', csrf },
    });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /This form has expired/);
  });

  it('binds a CSRF token to the session it was issued to: the same browser cannot carry it to another', async () => {
    const first = await beginAuthorization(t.issuer);
    const issuedToFirst = first.agent.csrf;
    // The same browser (the same CSRF cookie) in a second sign-in: the first one's token is not good there.
    const second = await beginAuthorization(t.issuer, { agent: first.agent });
    assert.notEqual(second.agent.csrf, issuedToFirst);
    const carried = await second.agent.request(`${second.interactionUrl}/login`, {
      form: { login: 'alice', password: 'wonderland', csrf: issuedToFirst },
    });
    assert.equal(carried.status, 403);
    const own = await second.agent.request(`${second.interactionUrl}/login`, {
      form: { login: 'alice', password: 'wonderland' },
    });
    assert.equal(own.status, 303, 'its own token is');
  });

  it('refuses an oversized form body with a clear 4xx', async () => {
    const start = await beginAuthorization(t.issuer);
    const huge = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'a'.repeat(40_000), password: 'x' },
    });
    assert.equal(huge.status, 413);
  });
});
