import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import * as oidc from 'openid-client';
import { startTestIdp, TEST_CLIENTS, type TestIdp } from '../support/harness.js';
import { beginAuthorization, discover, signIn, UserAgent } from '../support/oidc-flow.js';

/**
 * Property-based fuzzing of every form and JSON endpoint with hostile input: oversized, malformed, look-alike and
 * control-character text, fields given twice or as arrays and objects, broken encodings and wrong content types.
 * Whatever arrives, the answer is a deliberate one (2xx, 3xx or a 4xx with a body), never a 5xx, and nothing is
 * logged as an unhandled error.
 */

const LOOK_ALIKES = [
  'ａｌｉｃｅ', // full width
  'аlice', // Cyrillic а
  'ALİCE', // dotted capital I
  'alıce', // dotless i
  'ﬁona', // ligature
  'K', // Kelvin sign
  'straße',
  'STRASSE',
  'alice\u200b', // zero-width space
  '\u202ealice', // right-to-left override
  'alice\u0000', // NUL
  '\ud800', // lone surrogate
  'a\u0301', // combining accent
  '🧑‍💻',
];
const CONTROL = fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u200b', '\u2028', '\ufeff', '\r\n');

/** One hostile text value. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...LOOK_ALIKES),
  fc.string({ unit: CONTROL, minLength: 1, maxLength: 8 }),
  fc.integer({ min: 100, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom('', ' ', '%', '%zz', '=', '&', '[]', '{}', 'null', 'undefined', '__proto__', 'constructor'),
);

/** A set of form fields: the expected names (each possibly missing) plus some unexpected ones. */
const fieldsFor = (names: readonly string[]) =>
  fc
    .tuple(
      fc.record(Object.fromEntries(names.map((n) => [n, hostileText])), { requiredKeys: [] }),
      fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'csrf[]', 'login[a]', 'x'), hostileText, {
        maxKeys: 2,
      }),
    )
    .map(([expected, extra]) => ({ ...extra, ...expected }) as Record<string, string>);

/** A body no browser would send for the form, with the page's CSRF field where it can be placed. */
const malformedBody = (names: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...names).map((n) => ({ body: `${n}[]=a&${n}[]=b`, type: 'application/x-www-form-urlencoded' })),
    fc.constantFrom(...names).map((n) => ({ body: `${n}[x][y]=1&${n}=2`, type: 'application/x-www-form-urlencoded' })),
    fc.constantFrom('%', '%E0%A4%A', '%zz=%zz', '&&&==', 'a'.repeat(20_000)).map((body) => ({
      body,
      type: 'application/x-www-form-urlencoded',
    })),
    fc
      .uint8Array({ maxLength: 200 })
      .map((bytes) => ({ body: new Uint8Array(bytes), type: 'application/x-www-form-urlencoded' })),
    fc.json().map((body) => ({ body, type: 'application/json' })),
    fc.string().map((body) => ({ body, type: 'text/plain' })),
    fc.constant({
      body: '--b\r\nContent-Disposition: form-data; name="login"\r\n\r\nx\r\n--b--',
      type: 'multipart/form-data; boundary=b',
    }),
    fc.constant({ body: 'login=a', type: undefined }),
  );

/**
 * 2xx, 3xx, or a 4xx that says something. (431 is Node's HTTP parser refusing a URL or headers over 16 KB before
 * the application sees them; its status is the whole explanation.)
 */
/** A text form body gets the page's CSRF field in front, so that it reaches the handler rather than the CSRF check. */
const withCsrf = (raw: { body: string | Uint8Array<ArrayBuffer>; type: string | undefined }, csrf: string) =>
  typeof raw.body === 'string' && raw.type === 'application/x-www-form-urlencoded'
    ? { ...raw, body: `csrf=${csrf}&${raw.body}` }
    : raw;

async function assertDeliberate(response: Response, what: string) {
  const body = await response.text();
  assert.ok(response.status < 500, `${what}: ${response.status} ${body.slice(0, 300)}`);
  if (response.status >= 400 && response.status !== 431) {
    assert.ok(body.length > 0, `${what}: ${response.status} without an explanation`);
  }
}

const RUNS = { numRuns: 40 };

/** A query-string value as a browser would encode it (a lone surrogate becomes U+FFFD rather than an exception). */
const queryValue = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);

describe('bad input: every form and JSON endpoint answers hostile input deliberately (fast-check)', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp();
    assert.equal((await signIn(t.issuer, 'carol', 'higher further faster')).status, 303);
  });
  after(async () => {
    const unhandled = t.logs
      .filter((line) => (JSON.parse(line) as { level: number }).level >= 50)
      .map((line) => line.slice(0, 500));
    await t.close();
    assert.deepEqual(unhandled, [], 'nothing is logged as an unhandled error');
  });

  /** A fresh sign-in page for every run: a run that ends the interaction must not decide the next one's answer. */
  const interaction = async () => {
    const started = await beginAuthorization(t.issuer);
    await started.page.text();
    return started;
  };

  for (const [path, names] of [
    ['/login', ['login', 'password']],
    ['/register', ['username', 'email', 'givenName', 'familyName', 'password']],
    ['/password', ['password', 'confirm']],
    ['/confirm', []],
    ['/abort', []],
  ] as const) {
    it(`POST /interaction/:uid${path}`, async () => {
      await fc.assert(
        fc.asyncProperty(fieldsFor(names), malformedBody(['csrf', ...names]), async (fields, malformed) => {
          const { agent, interactionUrl } = await interaction();
          await assertDeliberate(await agent.request(`${interactionUrl}${path}`, { form: fields }), 'form');
          const raw = await agent.request(`${interactionUrl}${path}`, { raw: withCsrf(malformed, agent.csrf) });
          await assertDeliberate(raw, `raw ${malformed.type ?? 'untyped'} body`);
        }),
        RUNS,
      );
    });
  }

  it('GET /interaction/:uid with hostile ids and query strings', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, hostileText, async (uid, query) => {
        const agent = new UserAgent();
        const url = `${t.issuer}/interaction/${queryValue(uid)}?q=${queryValue(query)}`;
        await assertDeliberate(await agent.request(url), 'interaction page');
        await assertDeliberate(await agent.request(`${url}/login`, { form: { login: query } }), 'unknown interaction');
      }),
      RUNS,
    );
  });

  it('POST /password/forgot and /password/reset', async () => {
    await fc.assert(
      fc.asyncProperty(
        fieldsFor(['login', 'returnTo']),
        hostileText,
        fieldsFor(['token', 'password', 'confirm']),
        async (forgot, token, reset) => {
          const agent = new UserAgent();
          await (await agent.request(`${t.issuer}/password/forgot?return=${queryValue(token)}`)).text();
          await assertDeliberate(await agent.request(`${t.issuer}/password/forgot`, { form: forgot }), 'forgot');
          const resetUrl = `${t.issuer}/password/reset?token=${queryValue(token)}`;
          await assertDeliberate(await agent.request(resetUrl), 'reset page');
          await assertDeliberate(await agent.request(resetUrl, { form: reset }), 'reset');
        },
      ),
      RUNS,
    );
  });

  it('the OIDC endpoints: authorization parameters, token requests, userinfo, introspection, logout', async () => {
    const config = await discover(t.issuer);
    const { client_id, client_secret } = TEST_CLIENTS.firstParty;
    const basic = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
    const params = fc.dictionary(
      fc.constantFrom(
        'client_id',
        'redirect_uri',
        'response_type',
        'scope',
        'code_challenge',
        'code_challenge_method',
        'state',
        'nonce',
        'prompt',
        'max_age',
        'claims',
        'request',
        'login_hint',
        'resource',
        'grant_type',
        'code',
        'refresh_token',
        'code_verifier',
        'token',
        'id_token_hint',
        'post_logout_redirect_uri',
      ),
      hostileText,
      { maxKeys: 8 },
    );
    const endpoint = (name: string) => {
      const url = config.serverMetadata()[name];
      assert.ok(typeof url === 'string', `discovery names the ${name}`);
      return url;
    };
    const post = (url: string, body: Record<string, string>, authorization?: string) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(authorization ? { authorization } : {}),
        },
        body: new URLSearchParams(body).toString(),
        redirect: 'manual',
      });
    await fc.assert(
      fc.asyncProperty(
        params,
        fc.boolean(),
        fc.string({ unit: 'binary-ascii', maxLength: 200 }),
        async (p, valid, bearer) => {
          const auth = new URL(endpoint('authorization_endpoint'));
          for (const [k, v] of Object.entries({
            ...(valid ? { client_id, response_type: 'code', scope: 'openid' } : {}),
            ...p,
          }))
            auth.searchParams.set(k, v);
          await assertDeliberate(await fetch(auth, { redirect: 'manual' }), 'authorization');
          await assertDeliberate(await post(endpoint('token_endpoint'), p, valid ? basic : undefined), 'token');
          await assertDeliberate(await post(endpoint('introspection_endpoint'), p, basic), 'introspection');
          await assertDeliberate(await post(endpoint('revocation_endpoint'), p, basic), 'revocation');
          // Logout is GET only (oidc-provider's default); its confirmation form is the POST.
          const logout = new URL(endpoint('end_session_endpoint'));
          for (const [k, v] of Object.entries(p)) logout.searchParams.set(k, v);
          await assertDeliberate(await fetch(logout, { redirect: 'manual' }), 'logout');
          await assertDeliberate(await post(`${logout.origin}${logout.pathname}/confirm`, p), 'logout confirmation');
          // Header values must be bytes a header can carry; anything else is the client library's refusal, not ours.
          const authorization = `Bearer ${bearer.replace(/[^\x20-\x7e]/g, '')}`;
          await assertDeliberate(
            await fetch(endpoint('userinfo_endpoint'), { headers: { authorization } }),
            'userinfo',
          );
        },
      ),
      RUNS,
    );
  });

  describe('operator surfaces', () => {
    let adminToken = '';
    let consoleAgent: UserAgent;
    before(async () => {
      const config = await discover(t.issuer, 'opsBot');
      adminToken = (await oidc.clientCredentialsGrant(config, { scope: 'admin', resource: `${t.issuer}/admin/api` }))
        .access_token;
      consoleAgent = new UserAgent();
      const first = await consoleAgent.request(`${t.issuer}/admin`);
      const page = await consoleAgent.follow(
        await consoleAgent.request(new URL(first.headers.get('location') ?? '', t.issuer).href),
        t.issuer,
      );
      const landed = await consoleAgent.follow(
        await consoleAgent.request(`${page.url}/login`, {
          form: { login: 'carol', password: 'higher further faster' },
        }),
        t.issuer,
      );
      assert.equal(landed.response.status, 200);
      await landed.response.text();
    });

    it('the admin API: query strings and JSON bodies', async () => {
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${t.issuer}/admin/api${path}`, {
          ...init,
          headers: { authorization: `Bearer ${adminToken}`, ...(init.headers as Record<string, string>) },
        });
      const body = fc.oneof(
        fc.json(),
        fc.constantFrom('{', '{"cutOff":"yes"}', '{"kind":1}', '[]', 'null', `{"a":"${'x'.repeat(20_000)}"}`),
        fc.string({ unit: 'binary', maxLength: 100 }),
      );
      const type = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded');
      await fc.assert(
        fc.asyncProperty(
          hostileText,
          hostileText,
          hostileText,
          body,
          type,
          async (limit, q, kind, json, contentType) => {
            const query = (o: Record<string, string>) => new URLSearchParams(o).toString();
            await assertDeliberate(await api(`/events?${query({ limit, type: kind, account: q })}`), 'events');
            await assertDeliberate(await api(`/accounts?${query({ limit, q, origin: kind })}`), 'accounts');
            for (const [method, path] of [
              ['PUT', '/cutoff'],
              ['POST', '/import'],
            ] as const) {
              const response = await api(path, { method, body: json, headers: { 'content-type': contentType } });
              await assertDeliberate(response, `${method} ${path}`);
            }
          },
        ),
        RUNS,
      );
      // Whatever was accepted above, the switch is put back for the console's run.
      await api('/cutoff', {
        method: 'PUT',
        body: '{"cutOff":false}',
        headers: { 'content-type': 'application/json' },
      });
    });

    it('the console: search and its two forms', async () => {
      await fc.assert(
        fc.asyncProperty(
          hostileText,
          fieldsFor(['cutOff']),
          fieldsFor(['kind']),
          malformedBody(['csrf', 'kind']),
          async (q, cutOff, kind, malformed) => {
            const agent = consoleAgent;
            const search = await agent.request(`${t.issuer}/admin/accounts?q=${queryValue(q)}&origin=${queryValue(q)}`);
            await assertDeliberate(search, 'console search');
            await assertDeliberate(
              await agent.request(`${t.issuer}/admin/events?type=${queryValue(q)}`),
              'console events',
            );
            await (await agent.request(`${t.issuer}/admin`)).text();
            await assertDeliberate(await agent.request(`${t.issuer}/admin/cutoff`, { form: cutOff }), 'cut-off form');
            await assertDeliberate(await agent.request(`${t.issuer}/admin/import`, { form: kind }), 'import form');
            await assertDeliberate(
              await agent.request(`${t.issuer}/admin/import`, { raw: withCsrf(malformed, agent.csrf) }),
              'raw import form',
            );
          },
        ),
        RUNS,
      );
    });
  });

  it('still serves everyone afterwards', async () => {
    assert.equal((await fetch(`${t.issuer}/healthz`)).status, 200);
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
  });
});
