import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { LegacyUserService, type LegacyUserRecord } from '../../src/demo/legacy-service.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { LEGACY_TOKEN } from '../support/harness.js';
import { eventually } from '../support/eventually.js';
import { PROCESS_ENV, startIdpProcess, writeIdpConfig, type IdpProcess } from '../support/idp-process.js';
import { beginAuthorization, signIn } from '../support/oidc-flow.js';
import { freePort } from '../support/servers/process.js';

const USERS = 100;
const users: LegacyUserRecord[] = Array.from({ length: USERS }, (_, i) => ({
  password: `kill-password-${i}`,
  profile: { uid: `K-${i}`, user_name: `kill${i}`, mail: `kill${i}@example.com`, first: 'Kill', last: String(i) },
}));
const drained: LegacyUserRecord[] = Array.from({ length: 5 }, (_, i) => ({
  password: `drain-password-${i}`,
  profile: { uid: `D-${i}`, user_name: `drain${i}`, mail: `drain${i}@example.com`, first: 'Drain', last: String(i) },
}));

describe('IdP processes that die', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-kill-'));
  const sqlitePath = join(dir, 'idp.sqlite');
  const legacy = new LegacyUserService({ users: [...users, ...drained], token: LEGACY_TOKEN });
  let issuer = '';
  let env: Record<string, string> = {};
  const running: IdpProcess[] = [];
  const start = async () => {
    const started = await startIdpProcess(env, dir);
    running.push(started);
    return started;
  };

  before(async () => {
    await legacy.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const config = writeIdpConfig(dir, {
      issuer,
      legacyUrl: legacy.url,
      sqlitePath,
      extra: { passwords: { hashingThreads: 2 } },
    });
    env = { IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV };
  });
  after(async () => {
    for (const { child } of running) child.kill('SIGKILL');
    await legacy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL during 100 first sign-ins: whoever got tokens has exactly one account; a restart serves everyone', async (t) => {
    const victim = await start();
    legacy.delayMs = 150;
    let withTokens = 0;
    const attempts = users.map((user) =>
      signIn(issuer, user.profile.user_name, user.password).then(
        (attempt) => {
          if (attempt.tokens) withTokens++;
          return attempt.tokens?.claims()?.sub;
        },
        () => undefined,
      ),
    );
    // Killed mid-stream: some users are through, some are at the legacy system, some are being hashed or written.
    // Killed after twenty seconds at the latest, however few are through: the assertion below counts them.
    const tenThrough = eventually(() => withTokens >= 10, { timeoutMs: 20_000, intervalMs: 20, what: 'ten users' });
    await tenThrough.catch(() => undefined);
    victim.child.kill('SIGKILL');
    const subs = await Promise.all(attempts);
    const signedIn = subs.filter((sub) => sub !== undefined).length;
    assert.ok(signedIn >= 10 && signedIn < USERS, `${String(signedIn)} of ${String(USERS)} got tokens before the kill`);

    const integrity = new Database(sqlitePath, { readonly: true });
    assert.equal(integrity.pragma('integrity_check', { simple: true }), 'ok');
    integrity.close();

    const store = openEmbeddedStore(sqlitePath);
    try {
      const before = new Map<number, string>();
      for (const [i, user] of users.entries()) {
        const account = await store.accounts.findByLegacyId('legacy', `K-${i}`);
        if (subs[i] !== undefined) assert.equal(account?.id, subs[i], `${user.profile.user_name} kept the sub it got`);
        if (!account) continue;
        // Whole or absent: every stored account has its names, its legacy link and a bcrypt hash.
        assert.equal(account.username, user.profile.user_name);
        assert.equal(account.email, user.profile.mail);
        assert.equal(account.password.kind, 'bcrypt');
        before.set(i, account.id);
      }
      assert.equal((await store.accounts.countByOrigin()).migrated, before.size);
      t.diagnostic(`killed with ${String(signedIn)} users through and ${String(before.size)} accounts stored`);

      legacy.delayMs = 0;
      await start();
      const after = await Promise.all(
        users.map(async (user) => (await signIn(issuer, user.profile.user_name, user.password)).tokens?.claims()?.sub),
      );
      for (const [i, sub] of after.entries()) {
        assert.ok(sub, `${users[i]?.profile.user_name ?? ''} signs in after the restart`);
        if (before.has(i)) assert.equal(sub, before.get(i));
      }
      assert.equal(new Set(after).size, USERS);
      assert.equal((await store.accounts.countByOrigin()).migrated, USERS);
    } finally {
      await store.close();
    }
  });

  it('SIGTERM lets in-flight first sign-ins finish, then exits 0', async () => {
    const stopping = running.at(-1);
    assert.ok(stopping);
    legacy.delayMs = 1000;
    // Authorization began before the signal; the form posts are waiting on the legacy system when it arrives.
    const starts = await Promise.all(drained.map(() => beginAuthorization(issuer)));
    const posts = starts.map((s, i) =>
      s.agent.request(`${s.interactionUrl}/login`, {
        form: { login: drained[i]?.profile.user_name ?? '', password: drained[i]?.password ?? '' },
      }),
    );
    await eventually(() => legacy.delayed >= drained.length, { what: 'every post waiting on the legacy system' });
    stopping.child.kill('SIGTERM');
    const answers = await Promise.all(posts);
    assert.deepEqual(
      answers.map((a) => a.status),
      drained.map(() => 303),
    );
    assert.equal(await stopping.exited, 0);
    await assert.rejects(fetch(`${issuer}/healthz`), 'no longer listening');

    const store = openEmbeddedStore(sqlitePath);
    try {
      for (const [i] of drained.entries()) assert.ok(await store.accounts.findByLegacyId('legacy', `D-${String(i)}`));
    } finally {
      await store.close();
    }
  });
});
