import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { ACR_MFA, ACR_PASSWORD } from '../../src/oidc/login-policy.js';
import { RP_REDIRECT, startTestIdp, type TestIdp } from '../support/harness.js';
import { discover, finishAuthorization, UserAgent, type ClientName } from '../support/oidc-flow.js';

/** TOTP codes from Debian's oathtool, independent of the IdP's own implementation (otpauth). */
const oathtool = (secret: string, at: Date) =>
  execFileSync('oathtool', ['--totp', '-b', secret, '--now', `@${String(Math.floor(at.getTime() / 1000))}`], {
    encoding: 'utf8',
  }).trim();
/** A code of the next step: accepted (within the window of one step) even when this step's code was just used. */
const nextCode = (secret: string) => oathtool(secret, new Date(Date.now() + 30_000));

const secretOf = (html: string) => (/id="totp-secret">([^<]+)</.exec(html)?.[1] ?? '').replace(/\s/g, '');
const recoveryCodesOf = (html: string) => [...html.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]);

/** The flows the suites drive, against the IdP `idp()` returns. */
function policyFlows(idp: () => TestIdp) {
  /**
   * An authorization request from `client` in `agent`'s browser, with extra parameters (acr_values, max_age,
   * prompt): where it lands is either the client's redirect URI (the session was enough) or a hosted page.
   */
  const begin = async (client: ClientName, agent: UserAgent, extra: Record<string, string> = {}) => {
    const config = await discover(idp().issuer, client);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: RP_REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    const landed = await agent.follow(await agent.request(url.href), idp().issuer);
    const interaction = landed.url.startsWith(`${idp().issuer}/interaction/`);
    return { start: { config, verifier, state, nonce }, agent, landed, interaction, url: landed.url };
  };
  type Begun = Awaited<ReturnType<typeof begin>>;

  /** The ID token's payload once the flow is back at the client. */
  const idTokenOf = async (begun: Begun, answer?: Response) => {
    const url = answer ? (await begun.agent.follow(answer, idp().issuer)).url : begun.url;
    const tokens = await finishAuthorization(begun.start, url);
    return decodeJwt(tokens.id_token ?? '');
  };

  const assertMfa = (claims: Record<string, unknown>) => {
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, ACR_MFA);
  };

  /** The password on the sign-in page of an interaction: answered with the setup page, the second step, or tokens. */
  const password = async (begun: Begun, login: string, secret: string) => {
    assert.ok(begun.interaction, `expected the sign-in page, landed on ${begun.url}`);
    assert.match(await begun.landed.response.text(), /<h1>Sign in<\/h1>/);
    return begun.agent.request(`${begun.url}/login`, { form: { login, password: secret } });
  };

  /** The setup inside the sign-in: scan (read the secret), a wrong code, the right one, the codes, continue. */
  const setUpDuringSignIn = async (
    begun: Begun,
    setupPage: Response,
    { doubleClick = false, continuedStatus = 303 } = {},
  ) => {
    assert.equal(setupPage.status, 200);
    const html = await setupPage.text();
    assert.match(html, /Set up two-step verification/);
    assert.match(html, /<svg/, 'a QR code');
    const secret = secretOf(html);
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const wrong = await begun.agent.request(`${begun.url}/second-factor/setup`, { form: { code: '000000' } });
    assert.equal(wrong.status, 400, 'a wrong first code sets nothing up');
    assert.equal(secretOf(await wrong.text()), secret, 'the same setup, shown again');
    const confirmed = await begun.agent.request(`${begun.url}/second-factor/setup`, {
      form: { code: oathtool(secret, new Date()) },
    });
    assert.equal(confirmed.status, 200);
    const codes = recoveryCodesOf(await confirmed.text());
    assert.equal(codes.length, 10, 'ten recovery codes, shown once');
    if (doubleClick) {
      // The browser shows the answer to the second click: the app is set up, the codes are not shown again.
      const second = await begun.agent.request(`${begun.url}/second-factor/setup`, {
        form: { code: oathtool(secret, new Date()) },
      });
      assert.equal(second.status, 200);
      const html = await second.text();
      assert.match(html, /Your authenticator app is set up/);
      assert.deepEqual(recoveryCodesOf(html), []);
    }
    const continued = await begun.agent.request(`${begun.url}/second-factor/setup/continue`, { form: {} });
    assert.equal(continued.status, continuedStatus);
    return { secret, continued };
  };

  /** The second step of a sign-in for an account with an app. */
  const secondStep = async (begun: Begun, page: Response, secret: string) => {
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Two-step verification/);
    const answer = await begun.agent.request(`${begun.url}/second-factor`, { form: { code: nextCode(secret) } });
    assert.equal(answer.status, 303);
    return answer;
  };

  const signInWithPasswordOnly = async (agent: UserAgent, login: string, secret: string) => {
    const begun = await begin('firstParty', agent);
    const claims = await idTokenOf(begun, await password(begun, login, secret));
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.acr, ACR_PASSWORD);
    return claims;
  };

  return { begin, idTokenOf, assertMfa, password, setUpDuringSignIn, secondStep, signInWithPasswordOnly };
}

describe('second factor policy: require_mfa clients, acr_values and max_age', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp();
  });
  after(() => t.close());
  const { begin, idTokenOf, assertMfa, password, setUpDuringSignIn, secondStep, signInWithPasswordOnly } = policyFlows(
    () => t,
  );

  it('lists both ACRs in discovery', async () => {
    const metadata = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(metadata.acr_values_supported, [ACR_PASSWORD, ACR_MFA]);
  });

  it('has an account without a factor set one up during its sign-in at a require_mfa client; the session then satisfies it', async () => {
    const agent = new UserAgent();
    const begun = await begin('mfaRp', agent);
    // A first sign-in: the account is migrated from the legacy system and given its app in the same sign-in.
    const { continued } = await setUpDuringSignIn(begun, await password(begun, 'alice', 'wonderland'));
    const claims = await idTokenOf(begun, continued);
    assertMfa(claims);

    const factors = await t.idp.store.factors.listByAccount(String(claims.sub));
    assert.equal(factors.filter((f) => f.kind === 'totp').length, 1);
    assert.equal(factors.filter((f) => f.kind === 'recovery-code').length, 10);
    const enrolled = await t.idp.store.events.list({ type: 'factor_enrolled', limit: 10 });
    assert.deepEqual(enrolled.map((e) => e.type === 'factor_enrolled' && e.factor).sort(), ['recovery-code', 'totp']);

    // The same browser: the session's sign-in had a second factor, so no page at all.
    const again = await begin('mfaRp', agent);
    assert.ok(!again.interaction, 'not asked again');
    assertMfa(await idTokenOf(again));
    const other = await begin('firstParty', agent);
    assertMfa(await idTokenOf(other));
  });

  it('does not let a password-only session through to a require_mfa client: asked again (password, then the setup)', async () => {
    const agent = new UserAgent();
    await signInWithPasswordOnly(agent, 'bob', 'can-we-fix-it');
    // acr_values naming the password ACR too is satisfied by the password: acr_values are a list of what will do.
    const either = await begin('firstParty', agent, { acr_values: `${ACR_PASSWORD} ${ACR_MFA}` });
    assert.ok(!either.interaction);
    assert.equal((await idTokenOf(either)).acr, ACR_PASSWORD);

    // A client that cannot show a page learns that a sign-in is needed.
    const silent = await begin('mfaRp', agent, { prompt: 'none' });
    assert.ok(silent.url.startsWith(RP_REDIRECT));
    assert.equal(new URL(silent.url).searchParams.get('error'), 'login_required');

    const begun = await begin('mfaRp', agent);
    const { continued } = await setUpDuringSignIn(begun, await password(begun, 'bob', 'can-we-fix-it'), {
      doubleClick: true,
    });
    assertMfa(await idTokenOf(begun, continued));
  });

  it('treats acr_values asking for the multi-factor ACR like a require_mfa client: password, then the second step', async () => {
    const agent = new UserAgent();
    await signInWithPasswordOnly(agent, 'carol', 'higher further faster');
    // After this browser's sign-in, Carol sets up an app in another browser (at the require_mfa client there).
    const elsewhere = new UserAgent();
    const enrol = await begin('mfaRp', elsewhere);
    const { secret, continued } = await setUpDuringSignIn(
      enrol,
      await password(enrol, 'carol', 'higher further faster'),
    );
    assertMfa(await idTokenOf(enrol, continued));

    const begun = await begin('firstParty', agent, { acr_values: ACR_MFA });
    const answer = await secondStep(begun, await password(begun, 'carol', 'higher further faster'), secret);
    assertMfa(await idTokenOf(begun, answer));
    // The session now has both factors: the same request goes straight through.
    assert.ok(!(await begin('firstParty', agent, { acr_values: ACR_MFA })).interaction);
  });

  it('after a sign-up at a require_mfa client, asks for the sign-in again, where the new account sets up its app', async () => {
    const agent = new UserAgent();
    const begun = await begin('mfaRp', agent);
    assert.equal((await agent.request(`${begun.url}/register`)).status, 200);
    const form = {
      username: 'newcomer',
      email: 'newcomer@example.org',
      givenName: 'New',
      familyName: 'Comer',
      password: 'a long enough password',
    };
    const registered = await agent.request(`${begun.url}/register`, { form });
    assert.equal(registered.status, 303);
    // The account exists and the session has its password-only sign-in, which this client does not take.
    const landed = await agent.follow(registered, t.issuer);
    assert.ok(landed.url.startsWith(`${t.issuer}/interaction/`), `expected the sign-in again, got ${landed.url}`);
    const again = { ...begun, landed, url: landed.url, interaction: true };
    const { continued } = await setUpDuringSignIn(again, await password(again, 'newcomer', 'a long enough password'));
    assertMfa(await idTokenOf(again, continued));
  });

  it('does not let a setup replace an app set up elsewhere meanwhile: that app is asked for instead', async () => {
    const registered = await t.idp.register({
      username: 'twice',
      email: 'twice@example.com',
      password: 'a long enough password',
    });
    assert.ok(registered.kind === 'registered');
    const here = await begin('mfaRp', new UserAgent());
    const setupHere = await password(here, 'twice', 'a long enough password');
    const secretHere = secretOf(await setupHere.text());
    const elsewhere = await begin('mfaRp', new UserAgent());
    const { secret, continued } = await setUpDuringSignIn(
      elsewhere,
      await password(elsewhere, 'twice', 'a long enough password'),
    );
    assertMfa(await idTokenOf(elsewhere, continued));

    const late = await here.agent.request(`${here.url}/second-factor/setup`, {
      form: { code: oathtool(secretHere, new Date()) },
    });
    const answer = await secondStep(here, late, secret);
    assertMfa(await idTokenOf(here, answer));
    const factors = await t.idp.store.factors.listByAccount(registered.account.id);
    assert.equal(factors.filter((f) => f.kind === 'totp').length, 1, 'the app set up elsewhere, alone');
  });

  it('asks for the password and the second step again when max_age has passed', async () => {
    const registered = await t.idp.register({
      username: 'maxine',
      email: 'maxine@example.com',
      password: 'a long enough password',
    });
    assert.equal(registered.kind, 'registered');
    const agent = new UserAgent();
    const first = await begin('mfaRp', agent);
    const { secret, continued } = await setUpDuringSignIn(
      first,
      await password(first, 'maxine', 'a long enough password'),
    );
    assertMfa(await idTokenOf(first, continued));

    // oidc-provider counts whole seconds: a sign-in is older than max_age=0 from the next second on.
    await sleep(1100);
    const within = await begin('mfaRp', agent, { max_age: '3600' });
    assert.ok(!within.interaction, 'a recent enough sign-in is not asked again');
    const firstSignIn = Number((await idTokenOf(within)).auth_time);
    assert.ok(firstSignIn > 0, 'max_age puts auth_time in the ID token');

    const begun = await begin('mfaRp', agent, { max_age: '0' });
    const answer = await secondStep(begun, await password(begun, 'maxine', 'a long enough password'), secret);
    const claims = await idTokenOf(begun, answer);
    assertMfa(claims);
    assert.ok(Number(claims.auth_time) > firstSignIn, 'a new sign-in');
  });
});

describe('second factor policy with a weak legacy password to replace', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({
      users: [
        {
          // Among the common passwords the policy refuses for new passwords.
          password: 'password1',
          profile: { uid: 'W-1', user_name: 'weak1', mail: 'weak1@example.com', first: 'Weak', last: 'Password' },
        },
      ],
      config: { passwords: { requireChangeOfWeakLegacyPasswords: true } },
    });
  });
  after(() => t.close());
  const { begin, idTokenOf, assertMfa, password, setUpDuringSignIn } = policyFlows(() => t);

  it('sets the app up first, then asks for the new password, then signs in with both factors', async () => {
    const begun = await begin('mfaRp', new UserAgent());
    const { continued } = await setUpDuringSignIn(begun, await password(begun, 'weak1', 'password1'), {
      continuedStatus: 200,
    });
    assert.match(await continued.text(), /Choose a new password/);
    const changed = await begun.agent.request(`${begun.url}/password`, {
      form: { password: 'a much better passphrase', confirm: 'a much better passphrase' },
    });
    assertMfa(await idTokenOf(begun, changed));
  });
});
