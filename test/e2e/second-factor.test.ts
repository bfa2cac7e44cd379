import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import * as oidc from 'openid-client';
import { beginAuthorization, discover, finishAuthorization, UserAgent } from '../support/oidc-flow.js';

/**
 * TOTP codes come from Debian's oathtool, an implementation independent of the IdP's (otpauth): the code for the
 * 30-second step holding `at`.
 */
const oathtool = (secret: string, at: Date) =>
  execFileSync('oathtool', ['--totp', '-b', secret, '--now', `@${String(Math.floor(at.getTime() / 1000))}`], {
    encoding: 'utf8',
  }).trim();
/** A code of the next step: accepted (within the window of one step) even when this step's code was just used. */
const METRICS_TOKEN = 'second-factor-metrics-token-0123456789';
const nextCode = (secret: string) => oathtool(secret, new Date(Date.now() + 30_000));

describe('second factors: an authenticator app (TOTP) and recovery codes', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      config: {
        rateLimits: { enabled: true, secondFactorFailuresPerAccount: { limit: 4, windowSeconds: 900 }, maxDelayMs: 0 },
        metrics: { bearerToken: METRICS_TOKEN },
      },
    });
  });
  after(() => t.close());

  /**
   * The user's security page, reached through the IdP's sign-in (a new browser unless given one), with `code` for the
   * second step once the account has a factor.
   */
  const securityPage = async (login: string, password: string, code?: string, agent = new UserAgent()) => {
    const first = await agent.request(`${t.issuer}/account/security`);
    if (first.status !== 200) {
      const page = await agent.follow(first, t.issuer);
      const posted = await agent.request(`${page.url}/login`, { form: { login, password } });
      const answered = code ? await agent.request(`${page.url}/second-factor`, { form: { code } }) : posted;
      await agent.follow(answered, t.issuer);
    }
    const again = await agent.request(`${t.issuer}/account/security`);
    assert.equal(again.status, 200);
    return { agent, html: await again.text() };
  };

  /** Sets up an authenticator app for the user; returns its secret and the recovery codes shown once. */
  const enrolTotp = async (login: string, password: string) => {
    const { agent } = await securityPage(login, password);
    const setup = await agent.request(`${t.issuer}/account/security/totp/start`, { form: {} });
    const html = await setup.text();
    assert.match(html, /<svg/, 'a QR code');
    const secret = (/id="totp-secret">([^<]+)</.exec(html)?.[1] ?? '').replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const wrong = await agent.request(`${t.issuer}/account/security/totp/confirm`, { form: { code: '000000' } });
    assert.equal(wrong.status, 400, 'a wrong first code sets nothing up');
    const confirmed = await agent.request(`${t.issuer}/account/security/totp/confirm`, {
      form: { code: oathtool(secret, new Date()) },
    });
    assert.equal(confirmed.status, 200);
    const codes = [...(await confirmed.text()).matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1] ?? '');
    assert.equal(codes.length, 10, 'ten recovery codes, shown once');
    return { secret, codes, agent };
  };

  /** Starts a sign-in, gives the password, and returns where it stands: the second step's page, or tokens. */
  const passwordStep = async (login: string, password: string) => {
    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, { form: { login, password } });
    return { start, posted, secondStepUrl: `${start.interactionUrl}/second-factor` };
  };

  const finish = async (step: Awaited<ReturnType<typeof passwordStep>>, answer: Response) => {
    assert.equal(answer.status, 303);
    const landed = await step.start.agent.follow(answer, t.issuer);
    return finishAuthorization(step.start, landed.url);
  };

  it('asks for a code after the password, accepts each code once, and puts otp and mfa in amr', async () => {
    const before = await passwordStep('alice', 'wonderland');
    const passwordOnly = await finish(before, before.posted);
    assert.deepEqual(decodeJwt(passwordOnly.id_token ?? '').amr, ['pwd']);

    const { secret } = await enrolTotp('alice', 'wonderland');
    const stored = await t.idp.store.factors.listByAccount(String(decodeJwt(passwordOnly.id_token ?? '').sub));
    const totp = stored.find((f) => f.kind === 'totp');
    assert.match(String(totp?.data.secret), /^v1\./, 'the secret is sealed at rest');
    assert.ok(!JSON.stringify(stored).includes(secret), 'never in clear');

    const step = await passwordStep('alice', 'wonderland');
    assert.equal(step.posted.status, 200);
    assert.match(await step.posted.text(), /Two-step verification/);
    const wrong = await step.start.agent.request(step.secondStepUrl, { form: { code: '123456' } });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /That code is not right/);
    const code = nextCode(secret);
    const tokens = await finish(step, await step.start.agent.request(step.secondStepUrl, { form: { code } }));
    assert.deepEqual(decodeJwt(tokens.id_token ?? '').amr, ['pwd', 'otp', 'mfa']);

    // The same code again, in another sign-in within its window: refused (a replay).
    const replay = await passwordStep('alice', 'wonderland');
    const replayed = await replay.start.agent.request(replay.secondStepUrl, { form: { code } });
    assert.equal(replayed.status, 401);

    const events = await t.idp.store.events.list({ limit: 50 });
    const failed = events.flatMap((e) => (e.type === 'factor_failed' ? [e.reason] : []));
    assert.deepEqual(failed, ['replayed', 'wrong_code']);
    assert.ok(events.some((e) => e.type === 'factor_used' && e.factor === 'totp'));
    assert.ok(events.some((e) => e.type === 'factor_enrolled' && e.factor === 'totp'));
    assert.ok(!JSON.stringify(events).includes(secret) && !JSON.stringify(events).includes(code));
    assert.ok(!t.logs.some((line) => line.includes(secret)), 'the secret is never logged');

    const metrics = await (
      await fetch(`${t.issuer}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const counted = (factor: string, outcome: string) =>
      Number(
        metrics
          .split('\n')
          .find((line) => line.startsWith(`idp_second_factor_events_total{factor="${factor}",outcome="${outcome}"} `))
          ?.split(' ')[1] ?? 0,
      );
    assert.deepEqual(
      [counted('totp', 'enrolled'), counted('recovery-code', 'enrolled'), counted('totp', 'used')],
      [1, 1, 1],
    );
    assert.deepEqual([counted('any', 'wrong_code'), counted('any', 'replayed')], [1, 1]);
  });

  it('lets a recovery code in once, and counts what is left', async () => {
    const { codes } = await enrolTotp('bob', 'can-we-fix-it');
    const [first = ''] = codes;
    const step = await passwordStep('bob', 'can-we-fix-it');
    // Typed as people type them: lower case, with spaces.
    const typed = first.toLowerCase().replace('-', ' ');
    const tokens = await finish(step, await step.start.agent.request(step.secondStepUrl, { form: { code: typed } }));
    assert.deepEqual(decodeJwt(tokens.id_token ?? '').amr, ['pwd', 'otp', 'mfa']);
    const used = (await t.idp.store.events.list({ type: 'factor_used', limit: 1 }))[0];
    assert.ok(used?.type === 'factor_used' && used.factor === 'recovery-code' && used.recoveryCodesLeft === 9);

    const again = await passwordStep('bob', 'can-we-fix-it');
    assert.equal((await again.start.agent.request(again.secondStepUrl, { form: { code: first } })).status, 401);
    const { html } = await securityPage('bob', 'can-we-fix-it', codes[1]);
    assert.match(html, /8 unused recovery codes/, 'two used: one to sign in above, one to reach this page');
    assert.ok(!t.logs.some((line) => codes.some((code) => line.includes(code))), 'recovery codes are never logged');
  });

  it("finishes a double submit of the right code instead of calling the user's own second click wrong", async () => {
    const { secret } = await enrolTotp('carol', 'higher further faster');
    const step = await passwordStep('carol', 'higher further faster');
    const code = nextCode(secret);
    const firstClick = await step.start.agent.request(step.secondStepUrl, { form: { code } });
    const secondClick = await step.start.agent.request(step.secondStepUrl, { form: { code } });
    assert.equal(firstClick.status, 303);
    // The browser shows the answer to the second click: it continues the same sign-in.
    const tokens = await finish(step, secondClick);
    assert.deepEqual(decodeJwt(tokens.id_token ?? '').amr, ['pwd', 'otp', 'mfa']);
  });

  it('refuses the second step past the per-account limit of wrong codes, with Retry-After', async () => {
    const registered = await t.idp.register({
      username: 'limited',
      email: 'limited@example.com',
      password: 'a long enough password',
    });
    assert.equal(registered.kind, 'registered');
    const { secret } = await enrolTotp('limited', 'a long enough password');
    const step = await passwordStep('limited', 'a long enough password');
    for (let i = 0; i < 4; i++) {
      assert.equal((await step.start.agent.request(step.secondStepUrl, { form: { code: '000000' } })).status, 401);
    }
    const refused = await step.start.agent.request(step.secondStepUrl, { form: { code: nextCode(secret) } });
    assert.equal(refused.status, 429, 'even the right code, once past the limit');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.match(await refused.text(), /Too many wrong codes/);
  });

  it("lets an operator reset an account's factors, counted on the dashboard before and after", async () => {
    const before = await t.idp.store.factors.countAccountsByKind();
    assert.deepEqual(before, { totp: 4, 'recovery-code': 4, passkey: 0 }, 'alice, bob, carol and limited');
    const config = await discover(t.issuer, 'opsBot');
    const adminApi = `${t.issuer}/admin/api`;
    const token = (await oidc.clientCredentialsGrant(config, { scope: 'admin', resource: adminApi })).access_token;
    const limited = await t.idp.store.accounts.findByLogin('limited');
    assert.ok(limited);
    const reset = await fetch(`${adminApi}/accounts/${limited.id}/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'reset-factors' }),
    });
    assert.equal(reset.status, 200);
    assert.deepEqual(await t.idp.store.factors.listByAccount(limited.id), []);
    assert.deepEqual(await t.idp.store.factors.countAccountsByKind(), { totp: 3, 'recovery-code': 3, passkey: 0 });
    const stats = (await (
      await fetch(`${adminApi}/stats`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      factors: unknown;
    };
    assert.deepEqual(stats.factors, { totp: 3, 'recovery-code': 3, passkey: 0 }, "the console's figures");
    const [removed] = await t.idp.store.events.list({ type: 'factor_removed', limit: 1 });
    assert.ok(removed?.type === 'factor_removed' && removed.factor === 'all' && removed.adminId);
    const [action] = await t.idp.store.events.list({ type: 'admin_action', limit: 1 });
    assert.equal(action?.type === 'admin_action' && action.action, 'factors_reset');
    // The password alone signs in again.
    const step = await passwordStep('limited', 'a long enough password');
    assert.ok(await finish(step, step.posted));
  });
});

describe('changing sign-in methods needs a recent sign-in', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ config: { mfa: { recentSignInSeconds: 3 } } });
  });
  after(() => t.close());

  it('sends an older session to sign in again (max_age=0), then back to the security page, where the change works', async () => {
    const agent = new UserAgent();
    const page = await agent.follow(await agent.request(`${t.issuer}/account/security`), t.issuer);
    await agent.follow(
      await agent.request(`${page.url}/login`, { form: { login: 'alice', password: 'wonderland' } }),
      t.issuer,
    );
    assert.equal((await agent.request(`${t.issuer}/account/security`)).status, 200, 'viewing needs no fresh sign-in');
    await new Promise((resolve) => setTimeout(resolve, 3500));

    const refused = await agent.request(`${t.issuer}/account/security/totp/start`, { form: {} });
    assert.equal(refused.status, 302);
    const again = new URL(refused.headers.get('location') ?? '', t.issuer);
    assert.equal(again.searchParams.get('max_age'), '0');
    const signInPage = await agent.follow(refused, t.issuer);
    assert.match(await signInPage.response.text(), /Sign in/, 'the password is asked again despite the session');
    const back = await agent.follow(
      await agent.request(`${signInPage.url}/login`, { form: { login: 'alice', password: 'wonderland' } }),
      t.issuer,
    );
    assert.equal(new URL(back.url).pathname, '/account/security');
    const setup = await agent.request(`${t.issuer}/account/security/totp/start`, { form: {} });
    assert.equal(setup.status, 200);
    assert.match(await setup.text(), /<svg/);
  });
});

describe('second factors: a passkey after the password (the HTTP side; the ceremony is in test/browser)', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      config: {
        rateLimits: { enabled: true, secondFactorFailuresPerAccount: { limit: 3, windowSeconds: 900 }, maxDelayMs: 0 },
      },
    });
  });
  after(() => t.close());

  it('does not ask, at an IP-address issuer where browsers refuse passkeys, for a passkey the account could not use', async () => {
    // test/browser/passkeys.test.ts runs the passkey second step itself, on a localhost issuer.
    const registered = await t.idp.register({
      username: 'keyholder',
      email: 'keyholder@example.com',
      password: 'a long enough password',
    });
    assert.equal(registered.kind, 'registered');
    await t.idp.store.factors.add([
      {
        id: 'passkey-of-keyholder',
        accountId: registered.account.id,
        kind: 'passkey',
        credentialId: 'c2Vjb25kLXN0ZXAtcGFzc2tleQ',
        data: { publicKey: '', transports: ['internal'], deviceType: 'singleDevice', backedUp: false, aaguid: '' },
        mark: 0,
        createdAt: new Date(),
      },
    ]);
    const start = await beginAuthorization(t.issuer);
    const posted = await start.agent.request(`${start.interactionUrl}/login`, {
      form: { login: 'keyholder', password: 'a long enough password' },
    });
    assert.equal(posted.status, 303, 'signed in with the password: no step it could not pass');
    const landed = await start.agent.follow(posted, t.issuer);
    assert.ok((await finishAuthorization(start, landed.url)).id_token);
  });
});
