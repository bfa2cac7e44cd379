import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { normaliseLogin } from '../../src/accounts/account.js';
import { DEMO_LEGACY_TOKEN, DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import { connectorSource, fileSource } from '../../src/import/import-source.js';
import { runImport, type ImportDependencies } from '../../src/import/run-import.js';
import { createHttpConnector } from '../../src/legacy/http-connector.js';
import { legacySchema } from '../../src/config/legacy-schema.js';
import { createProfileTransformer } from '../../src/migration/transform.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { referenceHash } from '../support/legacy-stores.js';
import { missingTool } from '../support/tools.js';
import { signIn } from '../support/oidc-flow.js';

const dir = mkdtempSync(join(tmpdir(), 'jit-idp-import-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const jsonl = (records: unknown[]) => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
const person = (n: number, extra: Record<string, unknown> = {}) => ({
  uid: `I-${n}`,
  user_name: `imp${n}`,
  mail: `imp${n}@example.com`,
  first: 'Imp',
  last: String(n),
  ...extra,
});

describe('bulk import of the stragglers', { skip: missingTool('htpasswd', 'openssl') }, () => {
  let t: TestIdp;
  let deps: ImportDependencies;
  const bcryptOfIan = referenceHash.bcrypt('ian old pw');
  const sha512OfJo = referenceHash.sha512crypt('jo old pw');

  before(async () => {
    t = await startTestIdp();
    deps = {
      accounts: t.idp.store.accounts,
      tombstones: t.idp.tombstones,
      transform: await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true }),
      record: async (event) => {
        await t.idp.store.events.append(event);
      },
      legacySource: 'test-legacy',
    };
    // A local user whose name an imported record will want.
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
  });
  after(() => t.close());

  const source = file(
    'users.jsonl',
    jsonl([
      { ...person(1, { user_name: 'ian' }), passwordHash: bcryptOfIan, hashScheme: 'bcrypt' },
      { ...person(2, { user_name: 'jo' }), passwordHash: sha512OfJo },
      person(3),
      person(4, { mail: 'not an email' }),
      '{ broken',
      person(1, { user_name: 'ian-again' }),
      person(5, { user_name: 'alice' }),
      { ...person(6), passwordHash: 'plaintext-looking-thing' },
      person(8, { user_name: 'imp6' }),
      person(9, { disabled: true }),
      '',
    ]),
  );

  it('predicts in a dry run exactly what a real run does, and stores nothing', async () => {
    const before = await t.idp.store.accounts.countByOrigin();
    const summary = await runImport(deps, fileSource(source, 'jsonl', 3), { dryRun: true });
    assert.deepEqual(
      { read: summary.read, imported: summary.imported, skipped: summary.skipped, rejected: summary.rejected },
      { read: 10, imported: 4, skipped: 1, rejected: 5 },
    );
    assert.deepEqual(await t.idp.store.accounts.countByOrigin(), before);
  });

  it('imports valid users with their legacy hashes, reports the rest, and records one event', async () => {
    const report = join(dir, 'report.jsonl');
    const summary = await runImport(deps, fileSource(source, 'jsonl', 3), { reportPath: report });
    assert.deepEqual(
      [summary.read, summary.imported, summary.withoutPassword, summary.skipped, summary.rejected],
      [10, 4, 2, 1, 5],
    );
    const rejected = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(rejected, [
      { ref: 'line 4', reason: 'the profile failed validation', fields: ['email'] },
      { ref: 'line 5', reason: 'not valid JSON' },
      { ref: 'line 7', legacyId: 'I-5', reason: 'username belongs to another account', fields: ['username'] },
      { ref: 'line 9', legacyId: 'I-8', reason: 'username belongs to another account', fields: ['username'] },
      { ref: 'line 10', reason: 'disabled in the legacy system' },
    ]);
    assert.ok(!readFileSync(report, 'utf8').includes('$2'), 'no hash in the report');

    const ian = await t.idp.store.accounts.findByLogin('ian');
    assert.equal(ian?.origin, 'imported');
    assert.deepEqual(ian.legacy && [ian.legacy.source, ian.legacy.id], ['test-legacy', 'I-1']);
    assert.equal(ian.password.kind, 'legacy');
    assert.deepEqual((await t.idp.store.accounts.findByLogin('imp3'))?.password, { kind: 'none' });
    assert.deepEqual(
      (await t.idp.store.accounts.findByLogin('imp6'))?.password,
      { kind: 'none' },
      'unknown hash: reset',
    );
    const [event] = await t.idp.store.events.list({ type: 'imported' });
    assert.deepEqual(event?.type === 'imported' && [event.imported, event.skipped, event.rejected], [4, 1, 5]);
  });

  it('skips everything on a second run', async () => {
    const summary = await runImport(deps, fileSource(source, 'jsonl', 3), {});
    assert.deepEqual([summary.imported, summary.skipped, summary.rejected], [0, 5, 5]);
  });

  it('signs imported users in with their old password, upgrading the legacy hash to bcrypt, without asking the legacy system', async () => {
    t.legacy.resetCalls();
    for (const [login, password] of [
      ['ian', 'ian old pw'],
      ['jo', 'jo old pw'],
    ] as const) {
      assert.equal((await signIn(t.issuer, login, `${password}-wrong`)).status, 401);
      assert.equal((await signIn(t.issuer, login, password)).status, 303);
      const account = await t.idp.store.accounts.findByLogin(login);
      assert.match(account?.password.kind === 'bcrypt' ? account.password.hash : '', /^\$2b\$10\$/);
      assert.equal((await signIn(t.issuer, login, password)).status, 303, 'and again with the new hash');
    }
    assert.equal(t.legacy.calls.authenticate, 0);
    assert.equal((await t.idp.store.events.list({ type: 'password_rehashed' })).length, 2);
  });

  it('refuses an imported user without a password like a wrong password, and records why', async () => {
    const attempt = await signIn(t.issuer, 'imp3', 'anything at all');
    assert.equal(attempt.status, 401);
    const [event] = await t.idp.store.events.list({ type: 'sign_in_refused' });
    assert.deepEqual(event?.type === 'sign_in_refused' && event.reason, 'password_reset_required');
  });

  it('reads CSV with a header row', async () => {
    const csv = file(
      'users.csv',
      `uid,user_name,mail,first,last,passwordHash\nC-1,csv1,csv1@example.com,Csv,One,${referenceHash.md5crypt('csv pw')}\nC-2,csv2,csv2@example.com,,,\n`,
    );
    const summary = await runImport(deps, fileSource(csv, 'csv', 100), {});
    assert.deepEqual([summary.imported, summary.withoutPassword], [2, 1]);
    assert.equal((await accountOf('csv1'))?.givenName, 'Csv');
    assert.equal((await accountOf('csv2'))?.givenName, undefined);
    assert.equal((await signIn(t.issuer, 'csv1', 'csv pw')).status, 303);
  });

  it('imports from the legacy system’s own listing (GET /users), keeping the listed hashes', async () => {
    for (let n = 100; n < 105; n++) {
      t.legacy.addUser({
        password: `listed ${n}`,
        profile: person(n),
        ...(n % 2 === 0
          ? { listedHash: { passwordHash: referenceHash.sha512crypt(`listed ${n}`), hashScheme: 'sha512-crypt' } }
          : {}),
      });
    }
    const config = legacySchema.parse({
      kind: 'http',
      baseUrl: t.legacy.url,
      auth: { type: 'bearer', token: 'test-legacy-token' },
      listPageSize: 2,
    });
    assert.equal(config.kind, 'http');
    const summary = await runImport(deps, connectorSource(createHttpConnector(config)), {});
    // Every demo user, plus the five new ones; alice (already migrated) and ian/jo etc. are skipped or imported.
    assert.equal((await accountOf('imp100'))?.password.kind, 'legacy');
    assert.equal((await accountOf('imp101'))?.password.kind, 'none');
    assert.ok(summary.imported >= 5);
    assert.equal((await signIn(t.issuer, 'imp102', 'listed 102')).status, 303);
  });

  const accountOf = (login: string) => t.idp.store.accounts.findByLogin(normaliseLogin(login));
});

describe('npm run import, killed mid-way and run again', { timeout: 120_000 }, () => {
  const CLI = fileURLToPath(new URL('../../src/import/cli.ts', import.meta.url));
  const TSX = import.meta.resolve('tsx');
  const work = mkdtempSync(join(tmpdir(), 'jit-idp-import-crash-'));
  const total = 20_000;
  const bad = new Set([777, 12_345, 19_999]);
  const input = join(work, 'users.jsonl');
  writeFileSync(
    input,
    Array.from({ length: total }, (_, i) =>
      // The demo legacy system's shape: with no legacy system configured, the CLI imports as the demo migrates.
      bad.has(i)
        ? '{"uid": "broken"'
        : JSON.stringify({ uid: `K-${i}`, user_name: `k${i}`, mail: `k${i}@example.com` }),
    ).join('\n'),
  );
  const env = { ...process.env, IDP_SQLITE_PATH: join(work, 'idp.sqlite'), IDP_CONFIG: '', LOG_LEVEL: 'error' };
  const args = [
    '--import',
    TSX,
    CLI,
    '--file',
    input,
    '--page-size',
    '500',
    '--checkpoint',
    join(work, 'checkpoint.json'),
    '--report',
    join(work, 'report.jsonl'),
  ];
  const run = () => spawn(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => undefined);

  it('resumes from its checkpoint and ends with exactly one account per valid record', async () => {
    const first = run();
    // Kill it once a few pages are stored.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (!existsSync(join(work, 'checkpoint.json'))) return;
        const { resumeFrom } = JSON.parse(readFileSync(join(work, 'checkpoint.json'), 'utf8')) as {
          resumeFrom: string;
        };
        if (Number(resumeFrom) >= 3000) {
          clearInterval(timer);
          first.kill('SIGKILL');
          resolve();
        }
      }, 5);
      first.once('exit', () => {
        clearInterval(timer);
        reject(new Error('the import finished before it could be killed'));
      });
    });
    await new Promise((resolve) => first.once('exit', resolve));
    const stopped = JSON.parse(readFileSync(join(work, 'checkpoint.json'), 'utf8')) as { resumeFrom: string };
    assert.ok(Number(stopped.resumeFrom) < total, 'killed before the end');

    const second = run();
    let output = '';
    second.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => second.once('exit', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /resumed from the checkpoint/);
    assert.equal(existsSync(join(work, 'checkpoint.json')), false, 'a finished import leaves no checkpoint');

    const store = openEmbeddedStore(join(work, 'idp.sqlite'));
    try {
      assert.equal((await store.accounts.countByOrigin()).imported, total - bad.size);
      assert.equal(await store.accounts.countFromSource('demo-legacy'), total - bad.size);
    } finally {
      await store.close();
    }
    const rejected = readFileSync(join(work, 'report.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(
      rejected.map((line) => (JSON.parse(line) as { ref: string }).ref),
      [...bad].map((i) => `line ${i + 1}`),
    );
  });
});

describe('npm run import in demo mode, and when it cannot start', { timeout: 120_000 }, () => {
  const CLI = fileURLToPath(new URL('../../src/import/cli.ts', import.meta.url));
  const TSX = import.meta.resolve('tsx');
  const work = mkdtempSync(join(tmpdir(), 'jit-idp-import-demo-'));
  const legacy = new LegacyUserService({ users: DEMO_USERS, token: DEMO_LEGACY_TOKEN });
  let config = '';
  before(async () => {
    await legacy.start();
    // No legacy system configured: demo mode, whose legacy service (here, this one) `npm start` would run.
    config = join(work, 'idp.json');
    writeFileSync(config, JSON.stringify({ demo: { legacyPort: Number(new URL(legacy.url).port) } }));
  });
  after(async () => {
    await legacy.stop();
  });

  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
        cwd: work,
        env: { ...process.env, IDP_CONFIG: config, IDP_SQLITE_PATH: join(work, 'idp.sqlite'), LOG_LEVEL: 'error' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('says a missing file is missing, without offering to resume anything', async () => {
    const result = await cli('--file', join(work, 'no-such.jsonl'));
    assert.equal(result.code, 64);
    assert.match(result.stderr, /no such file: .*no-such\.jsonl/);
    assert.doesNotMatch(result.stderr, /resume/);
  });

  it('imports the demo legacy system itself with --from-legacy, as its sign-ins migrate: same source, same roles', async () => {
    const result = await cli('--from-legacy', '--checkpoint', join(work, 'cp.json'), '--report', join(work, 'r.jsonl'));
    assert.equal(result.code, 0, result.stderr);
    // alice, bob, carol; dave is locked, erin's email is refused.
    assert.match(result.stdout, /read 5, imported 3 .* rejected 2/);
    const store = openEmbeddedStore(join(work, 'idp.sqlite'));
    try {
      const carol = await store.accounts.findByLogin('carol');
      assert.deepEqual([carol?.legacy?.source, carol?.roles], ['demo-legacy', ['admin', 'employee']]);
    } finally {
      await store.close();
    }
  });
});
