import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { LegacyUserService, type LegacyUserRecord } from '../../src/demo/legacy-service.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { eventually } from '../support/eventually.js';
import { LEGACY_TOKEN } from '../support/harness.js';
import { PROCESS_ENV, startIdpProcess, writeIdpConfig, type IdpProcess } from '../support/idp-process.js';
import { signIn } from '../support/oidc-flow.js';
import { freePort } from '../support/servers/process.js';
import { missingTool } from '../support/tools.js';

/**
 * What the embedded store keeps when the machine, not just the process, goes down (src/store/embedded/
 * embedded-store.ts): accounts are synced to the disk before a sign-in answers, and nothing the event loop runs
 * waits for the disk. A power cut cannot be had in a test, so it is approached twice: strace shows which thread
 * syncs which file and when, and a copy of the files taken with the process frozen mid-load (the state a crash at
 * that instant leaves on disk, minus what only the page cache held) is opened as the restarted IdP would open it.
 */
const users: LegacyUserRecord[] = Array.from({ length: 120 }, (_, i) => ({
  password: `durable-password-${String(i)}`,
  profile: { uid: `S-${String(i)}`, user_name: `durable${String(i)}`, mail: `durable${String(i)}@example.com` },
}));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('durability of the embedded store', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-durable-'));
  const sqlitePath = join(dir, 'idp.sqlite');
  const legacy = new LegacyUserService({ users, token: LEGACY_TOKEN });
  let issuer = '';
  let idp: IdpProcess | undefined;

  before(async () => {
    await legacy.start();
    const port = await freePort();
    issuer = `http://127.0.0.1:${String(port)}`;
    const config = writeIdpConfig(dir, {
      issuer,
      legacyUrl: legacy.url,
      sqlitePath,
      extra: { passwords: { hashingThreads: 2 } },
    });
    idp = await startIdpProcess({ IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV }, dir);
  });
  after(async () => {
    idp?.child.kill('SIGKILL');
    await legacy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const countMigrated = async () => {
    const store = openEmbeddedStore(sqlitePath);
    try {
      return (await store.accounts.countByOrigin()).migrated;
    } finally {
      await store.close();
    }
  };
  const signInOk = async (i: number) => {
    const user = users[i];
    assert.ok(user);
    const { tokens } = await signIn(issuer, user.profile.user_name, user.password);
    assert.ok(tokens, `${user.profile.user_name} signs in`);
    return tokens.claims()?.sub;
  };

  it(
    'first sign-ins wait for a sync of the log on another thread, later ones for none; the event loop syncs only a new log header',
    {
      skip: missingTool('strace'),
    },
    async (t) => {
      const pid = idp?.child.pid ?? 0;
      const trace = join(dir, 'syncs');
      // -f: every thread; -y: file names instead of descriptors; -T: how long each call took.
      const tracer = spawn('strace', ['-f', '-y', '-T', '-e', 'trace=fsync,fdatasync', '-o', trace, '-p', String(pid)]);
      const tracerExited = new Promise((resolve) => tracer.once('exit', resolve));
      await eventually(() => existsSync(trace) && readFileSync(trace, 'utf8').length >= 0, { what: 'strace attached' });
      await sleep(300);
      const syncs = () =>
        readFileSync(trace, 'utf8')
          .split('\n')
          .map((line) => /^(\d+)\s+(fsync|fdatasync)\(\d+<([^>]+)>\)/.exec(line))
          .filter((match) => match !== null)
          .map(([, tid, call, file]) => ({ tid: Number(tid), call, file: file ?? '' }));

      for (let i = 0; i < 10; i++) await signInOk(i);
      const afterFirst = syncs();
      for (let i = 0; i < 10; i++) await signInOk(i);
      for (let i = 0; i < 10; i++) await signInOk(i);
      type Sync = ReturnType<typeof syncs>[number];
      const checkpoints = (list: readonly Sync[]) =>
        list.filter((sync) => sync.tid !== pid && sync.call === 'fsync' && sync.file === sqlitePath).length;
      // A checkpoint runs every 5 s, on a hashing thread: the log's pages reach the database file off the loop.
      await eventually(() => checkpoints(syncs()) > 0, { timeoutMs: 10_000, what: 'a checkpoint' });
      const afterAll = syncs();
      tracer.kill('SIGINT');
      await tracerExited;

      const wal = `${sqlitePath}-wal`;
      const groupCommits = (list: typeof afterAll) =>
        list.filter((sync) => sync.tid !== pid && sync.call === 'fdatasync' && sync.file === wal).length;
      // SQLite syncs the log's header on the thread that starts the log over after a checkpoint, before its first
      // frame: at most one small sync per checkpoint, on a writer's thread, whatever the load. Nothing else.
      const onEventLoop = afterAll.filter((sync) => sync.tid === pid);
      assert.ok(onEventLoop.every((sync) => sync.file === wal));
      assert.ok(
        onEventLoop.length <= checkpoints(afterAll) + 1,
        `${String(onEventLoop.length)} syncs on the event loop, ${String(checkpoints(afterAll))} checkpoints`,
      );
      // Ten accounts, each synced before its sign-in went on (one sign-in at a time here, so no sync is shared).
      assert.ok(groupCommits(afterFirst) >= 10, `${String(groupCommits(afterFirst))} syncs for 10 new accounts`);
      // Twenty sign-ins of migrated users write sessions, codes, tokens and events, and wait for no sync.
      const later = afterAll.slice(afterFirst.length);
      assert.equal(groupCommits(later), 0, 'a sign-in of a migrated user waits for no sync');
      t.diagnostic(
        `30 sign-ins (10 first): ${String(groupCommits(afterAll))} syncs of new accounts, ` +
          `${String(checkpoints(afterAll))} checkpoints, ${String(onEventLoop.length)} log headers synced on the event loop`,
      );
    },
  );

  it('a copy of the files taken mid-load opens whole, with every account whose sign-in answered', async (t) => {
    const before = await countMigrated();
    legacy.delayMs = 30;
    const answered = new Map<number, string>();
    const FROM = 20;
    const attempts = users.slice(FROM).map((_, n) =>
      signInOk(FROM + n).then(
        (sub) => {
          if (sub) answered.set(FROM + n, sub);
        },
        () => undefined,
      ),
    );
    await eventually(() => answered.size >= 15, { timeoutMs: 60_000, intervalMs: 10, what: 'fifteen sign-ins' });
    // Frozen, every thread of it, so that the copy is one instant of the files (torn pages and half-written log
    // frames included), as the disk holds them at a crash; the shared-memory index is not copied: a machine that
    // lost power has none.
    const pid = idp?.child.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    const copy = join(dir, 'copy.sqlite');
    const through = new Map(answered);
    try {
      copyFileSync(sqlitePath, copy);
      if (existsSync(`${sqlitePath}-wal`)) copyFileSync(`${sqlitePath}-wal`, `${copy}-wal`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await Promise.all(attempts);
    legacy.delayMs = 0;

    const check = new Database(copy);
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    check.close();
    const store = openEmbeddedStore(copy);
    try {
      let kept = 0;
      for (const [i, sub] of through) {
        const account = await store.accounts.findByLegacyId('legacy', `S-${String(i)}`);
        assert.equal(account?.id, sub, `durable${String(i)} answered before the copy, so its account is in it`);
        assert.equal(account.password.kind, 'bcrypt');
        kept++;
      }
      const stored = (await store.accounts.countByOrigin()).migrated;
      assert.ok(stored >= before + kept, 'the earlier accounts are there too');
      t.diagnostic(`${String(kept)} sign-ins had answered at the copy; the copy holds ${String(stored)} accounts`);
    } finally {
      await store.close();
    }
  });
});
