import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { normaliseLogin } from '../../src/accounts/account.js';
import { startTestIdp, TEST_CLIENTS, type TestIdp } from '../support/harness.js';
import { csrfFieldOf, discover, signIn, UserAgent } from '../support/oidc-flow.js';

describe('operating the migration: console and admin API', () => {
  let t: TestIdp;
  let carolId = '';
  before(async () => {
    t = await startTestIdp();
    // carol's legacy role "admin" maps to the admin role; alice is staff.
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
    assert.equal((await signIn(t.issuer, 'carol', 'higher further faster')).status, 303);
    carolId = (await t.idp.store.accounts.findByLogin('carol'))?.id ?? '';
    await signIn(t.issuer, 'erin', 'no-valid-email');
  });
  after(() => t.close());

  /** Opens the console the way a browser does: redirected to the IdP's sign-in, then back. */
  const consoleAs = async (login: string, password: string) => {
    const agent = new UserAgent();
    const first = await agent.request(`${t.issuer}/admin/accounts`);
    assert.equal(first.status, 302);
    const authorize = new URL(first.headers.get('location') ?? '', t.issuer);
    assert.equal(authorize.pathname, '/auth');
    assert.equal(authorize.searchParams.get('client_id'), 'idp-admin-console');
    const page = await agent.follow(await agent.request(authorize.href), t.issuer);
    const posted = await agent.request(`${page.url}/login`, { form: { login, password } });
    const landed = await agent.follow(posted, t.issuer);
    return { agent, landed };
  };
  const csrfOf = (html: string) => csrfFieldOf(html) ?? '';

  it('signs an operator in through the IdP itself and returns to the page asked for', async () => {
    const { landed } = await consoleAs('carol', 'higher further faster');
    assert.equal(new URL(landed.url).pathname, '/admin/accounts');
    assert.equal(landed.response.status, 200);
    const html = await landed.response.text();
    assert.match(html, /Signed in as <strong>carol<\/strong>/);
  });

  it('refuses an account without the admin role', async () => {
    const { landed } = await consoleAs('alice', 'wonderland');
    assert.equal(landed.response.status, 403);
    assert.match(await landed.response.text(), /This account cannot use the console/);
  });

  it('shows accounts by origin, failures by reason and the legacy system on the dashboard', async () => {
    const { agent } = await consoleAs('carol', 'higher further faster');
    // Alice has a passkey: the console counts accounts per factor (an IP issuer never asks for it, so this holds).
    const alice = await t.idp.store.accounts.findByLogin('alice');
    assert.ok(alice);
    await t.idp.store.factors.add([
      {
        id: 'passkey-of-alice',
        accountId: alice.id,
        kind: 'passkey',
        credentialId: 'YWxpY2UtcGFzc2tleQ',
        data: { publicKey: '', transports: ['internal'], deviceType: 'multiDevice', backedUp: true, aaguid: '' },
        mark: 0,
        createdAt: new Date(),
      },
    ]);
    const html = await (await agent.request(`${t.issuer}/admin`)).text();
    assert.match(html, /id="total-accounts">2</);
    assert.match(html, /id="migrated-accounts">2</);
    assert.match(html, /id="passkey-accounts">1</);
    assert.match(html, /id="totp-accounts">0</);
    assert.match(html, /<td>validation<\/td><td>1<\/td><td>email \(1\)<\/td>/);
    assert.match(html, /id="circuit">closed/);
    const stats = JSON.parse(
      /<script type="application\/json" id="stats">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}',
    ) as {
      perHour: { migrated: number; failed: number }[];
    };
    assert.equal(stats.perHour.at(-1)?.migrated, 2);
    assert.equal(stats.perHour.at(-1)?.failed, 1);
  });

  it('filters events and finds accounts', async () => {
    const { agent } = await consoleAs('carol', 'higher further faster');
    const events = await (await agent.request(`${t.issuer}/admin/events?type=migrated`)).text();
    const types = [...events.matchAll(/<td data-label="Type">([a-z_]+)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(types, ['migrated', 'migrated']);
    // "account" takes a username, or the short id the console shows where it has no name to show.
    const typesFor = async (account: string) => {
      const page = await (await agent.request(`${t.issuer}/admin/events?type=migrated&account=${account}`)).text();
      return [...page.matchAll(/<td data-label="Type">([a-z_]+)<\/td>/g)].length;
    };
    assert.equal(await typesFor('ALICE'), 1);
    assert.equal(await typesFor(carolId.slice(0, 8)), 1);
    assert.equal(await typesFor('nobody-here'), 0);
    const accounts = await (await agent.request(`${t.issuer}/admin/accounts?q=CARO`)).text();
    assert.match(accounts, />carol@example.com<\/td>/);
    assert.doesNotMatch(accounts, /alice@example.com/);
    assert.doesNotMatch(accounts, /\$2b\$/, 'no hash on any page');
  });

  it('cuts the legacy system off only with the form’s token, and records who did it', async () => {
    const { agent } = await consoleAs('carol', 'higher further faster');
    const forged = await agent.request(`${t.issuer}/admin/cutoff`, { form: { cutOff: 'on', csrf: 'forged' } });
    assert.equal(forged.status, 403);
    assert.equal((await t.idp.cutOffAwareLegacy.state()).cutOff, false);

    const csrf = csrfOf(await (await agent.request(`${t.issuer}/admin`)).text());
    const asked = await agent.request(`${t.issuer}/admin/cutoff`, { form: { cutOff: 'on', csrf } });
    assert.equal(asked.status, 200, 'first a confirmation');
    assert.match(await asked.text(), /No readiness check has run yet/);
    assert.equal((await t.idp.cutOffAwareLegacy.state()).cutOff, false, 'nothing switched yet');
    const done = await agent.request(`${t.issuer}/admin/cutoff`, { form: { cutOff: 'on', confirm: 'yes', csrf } });
    assert.equal(done.status, 302);
    assert.match(
      await (await agent.request(`${t.issuer}/admin/events`)).text(),
      /id="cutoff-banner">The legacy system is cut off/,
      'every console page says so',
    );
    assert.deepEqual(
      [(await t.idp.cutOffAwareLegacy.state()).cutOff, (await t.idp.cutOffAwareLegacy.state()).by],
      [true, carolId],
    );
    const [event] = await t.idp.store.events.list({ type: 'admin_action' });
    assert.deepEqual(event?.type === 'admin_action' && [event.adminId, event.action], [carolId, 'cut_off']);
    await t.idp.cutOffAwareLegacy.set(false, carolId);
  });

  it('checks readiness: how many legacy users would be left without an account', async () => {
    const { agent } = await consoleAs('carol', 'higher further faster');
    const csrf = csrfOf(await (await agent.request(`${t.issuer}/admin`)).text());
    assert.equal((await agent.request(`${t.issuer}/admin/import`, { form: { kind: 'readiness', csrf } })).status, 302);
    await t.idp.jobs.settled();
    const html = await (await agent.request(`${t.issuer}/admin`)).text();
    // Five legacy users: alice and carol are here; bob is not; erin's profile fails validation, dave is locked.
    assert.equal(
      readinessText(html),
      '2 of 5 legacy users have an account here; 3 would be left behind by a cut-off now: 1 never signed in, ' +
        '1 disabled, 1 validation. An import would bring over 1 (0 keeping their password, 1 who must reset it).',
    );
    const report = await (await agent.request(`${t.issuer}/admin/readiness`)).text();
    assert.match(report, /<td>never signed in \(an import brings them over\)<\/td><td>1<\/td><td>bob \(L-1002\)<\/td>/);
    assert.match(report, /<td>disabled in the legacy system<\/td><td>1<\/td><td>dave \(L-1004\)<\/td>/);
    assert.match(report, /<td>profile refused by the mapping<\/td><td>1<\/td><td>erin \(L-1005\): email<\/td>/);
    const json = (await (await agent.request(`${t.issuer}/admin/readiness.json`)).json()) as {
      report: { users: number; readiness: { withAccount: number } };
    };
    assert.deepEqual([json.report.users, json.report.readiness.withAccount], [5, 2]);
    assert.equal((await t.idp.store.accounts.countByOrigin()).imported, 0, 'a readiness check imports nothing');
  });

  describe('admin API', () => {
    const adminApi = () => `${t.issuer}/admin/api`;
    const robotToken = async (client: 'opsBot' | 'otherBot' = 'opsBot') => {
      const config = await discover(t.issuer, client);
      return (await oidc.clientCredentialsGrant(config, { scope: 'admin', resource: adminApi() })).access_token;
    };
    const call = (path: string, token: string, init: { method?: string; body?: unknown } = {}) =>
      fetch(`${adminApi()}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      });

    it('refuses calls without a valid admin token', async () => {
      const anonymous = await fetch(`${adminApi()}/stats`);
      assert.equal(anonymous.status, 401);
      assert.deepEqual(((await anonymous.json()) as { error: string }).error, 'invalid_token');
      assert.equal((await call('/stats', 'not-a-token')).status, 401);
      await assert.rejects(
        robotToken('otherBot'),
        (error: Error) => (error.cause as { error?: string }).error === 'invalid_target',
      );
    });

    it('answers 403, not 401, to a valid token of someone who is not an operator', async () => {
      const userToken = async (login: string, password: string) => {
        const attempt = await signIn(t.issuer, login, password, {
          client: 'adminApp',
          scope: 'openid admin',
          resource: adminApi(),
        });
        return attempt.tokens?.access_token ?? assert.fail(`no token for ${login}`);
      };
      const alice = await call('/stats', await userToken('alice', 'wonderland'));
      assert.equal(alice.status, 403);
      assert.equal(((await alice.json()) as { error: string }).error, 'insufficient_scope');
      assert.match(alice.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
      assert.equal((await call('/stats', await userToken('carol', 'higher further faster'))).status, 200);
    });

    it('answers a robot with client credentials: stats, events, accounts without passwords', async () => {
      const token = await robotToken();
      const stats = (await (await call('/stats', token)).json()) as { accounts: { migrated: number } };
      assert.equal(stats.accounts.migrated, 2);
      const events = (await (await call('/events?type=migration_failed&limit=5', token)).json()) as {
        events: unknown[];
      };
      assert.equal(events.events.length, 1);
      const accounts = (await (await call('/accounts?q=alice', token)).json()) as { accounts: { password: unknown }[] };
      assert.deepEqual(
        accounts.accounts.map((a) => a.password),
        ['bcrypt'],
      );
    });

    it('switches the cut-off and imports the rest, recording the robot as the admin', async () => {
      const token = await robotToken();
      const off = await call('/cutoff', token, { method: 'PUT', body: { cutOff: true } });
      assert.equal(off.status, 200);
      assert.equal(((await off.json()) as { cutOff: boolean }).cutOff, true);
      assert.equal((await call('/cutoff', token, { method: 'PUT', body: { cutOff: 'yes' } })).status, 400);
      await call('/cutoff', token, { method: 'PUT', body: { cutOff: false } });

      const started = await call('/import', token, { method: 'POST', body: { kind: 'import' } });
      assert.equal(started.status, 202);
      await t.idp.jobs.settled();
      const job = ((await (await call('/import', token)).json()) as { job: { summary: { imported: number } } }).job;
      assert.equal(job.summary.imported, 1);
      assert.equal((await t.idp.store.accounts.findByLogin(normaliseLogin('bob')))?.origin, 'imported');
      const actions = await t.idp.store.events.list({ type: 'admin_action', limit: 10 });
      assert.ok(
        actions.some((e) => e.type === 'admin_action' && e.adminId === `client:${TEST_CLIENTS.opsBot.client_id}`),
      );
    });

    it('pages through every account with a cursor, each once, and says how many there are', async () => {
      const token = await robotToken();
      type Page = { accounts: { username: string }[]; total: number; next?: string };
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = (await (
          await call(`/accounts?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token)
        ).json()) as Page;
        assert.equal(page.total, 3);
        seen.push(...page.accounts.map((a) => a.username));
        cursor = page.next;
        pages++;
      } while (cursor && pages < 10);
      assert.deepEqual(seen.sort(), ['alice', 'bob', 'carol']);
      assert.equal(pages, 3);
    });

    it('acts on one account: disable refuses its sign-in, enable lets it in, delete removes it; each recorded', async () => {
      const token = await robotToken();
      const alice = await t.idp.store.accounts.findByLogin('alice');
      assert.ok(alice);
      const act = (id: string, action: unknown) =>
        call(`/accounts/${id}/actions`, token, { method: 'POST', body: { action } });

      const disabled = await act(alice.id, 'disable');
      assert.equal(disabled.status, 200);
      assert.equal(((await disabled.json()) as { account: { disabled: boolean } }).account.disabled, true);
      const refused = await signIn(t.issuer, 'alice', 'wonderland');
      assert.equal(refused.status, 403);
      assert.match(refused.page, /cannot sign in at the moment/);
      const wrong = await signIn(t.issuer, 'alice', 'not her password');
      assert.equal(wrong.status, 401, 'a wrong password learns nothing of the switch');
      assert.equal((await act(alice.id, 'enable')).status, 200);
      assert.ok((await signIn(t.issuer, 'alice', 'wonderland')).tokens);

      const bob = await t.idp.store.accounts.findByLogin('bob');
      assert.ok(bob);
      const deleted = await act(bob.id, 'delete');
      assert.equal(deleted.status, 200);
      assert.deepEqual(await deleted.json(), { account: null });
      assert.equal(await t.idp.store.accounts.findById(bob.id), undefined);
      assert.equal((await act(bob.id, 'enable')).status, 404);
      assert.equal((await act(alice.id, 'explode')).status, 400);

      const robot = `client:${TEST_CLIENTS.opsBot.client_id}`;
      const recorded = await t.idp.store.events.list({ type: 'admin_action', limit: 20 });
      for (const [action, accountId] of [
        ['account_disabled', alice.id],
        ['account_enabled', alice.id],
        ['account_deleted', bob.id],
      ] as const) {
        assert.ok(
          recorded.some(
            (e) => e.type === 'admin_action' && e.action === action && e.accountId === accountId && e.adminId === robot,
          ),
          `${action} recorded`,
        );
      }
      const gone = await t.idp.store.events.list({ type: 'account_deleted', limit: 5 });
      assert.equal(gone.length, 1);
      const [erased] = gone;
      assert.deepEqual(erased?.type === 'account_deleted' && [erased.by, erased.adminId, erased.username], [
        'operator',
        robot,
        undefined,
      ]);
    });

    it('ends every session and token of an account, and makes its user choose a new password', async () => {
      const token = await robotToken();
      const alice = await t.idp.store.accounts.findByLogin('alice');
      assert.ok(alice);
      const act = (action: string) =>
        call(`/accounts/${alice.id}/actions`, token, { method: 'POST', body: { action } });
      const attempt = await signIn(t.issuer, 'alice', 'wonderland');
      const config = await discover(t.issuer);
      const accessToken = attempt.tokens?.access_token ?? '';
      assert.equal((await oidc.tokenIntrospection(config, accessToken)).active, true);

      assert.equal((await act('revoke-sessions')).status, 200);
      assert.equal((await oidc.tokenIntrospection(config, accessToken)).active, false, 'the access token is dead');
      const again = await signIn(t.issuer, 'alice', 'wonderland', { agent: attempt.agent });
      assert.ok(again.tokens, 'the same browser signs in again with her password: its session was ended');

      assert.equal((await act('require-password-reset')).status, 200);
      assert.equal((await t.idp.store.accounts.findById(alice.id))?.password.kind, 'none');
      const refused = await signIn(t.issuer, 'alice', 'wonderland');
      assert.equal(refused.status, 401, 'told like a wrong password: "Forgot your password?" is the way in');
      const [latest] = await t.idp.store.events.list({ type: 'sign_in_refused', limit: 1 });
      assert.equal(latest?.type === 'sign_in_refused' && latest.reason, 'password_reset_required');
      const recorded = await t.idp.store.events.list({ type: 'admin_action', limit: 5 });
      for (const action of ['sessions_revoked', 'password_reset_required'])
        assert.ok(
          recorded.some((e) => e.type === 'admin_action' && e.action === action && e.accountId === alice.id),
          `${action} recorded`,
        );
    });
  });
});

/** The readiness line of the dashboard, as a reader sees it (tags dropped, whitespace collapsed, the link left out). */
function readinessText(html: string): string {
  const cell = /id="readiness">([\s\S]*?)<\/dd>/.exec(html)?.[1] ?? '';
  return cell
    .replace(/Checked[\s\S]*$/, '')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
