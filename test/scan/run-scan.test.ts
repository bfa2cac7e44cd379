import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LegacyUserRecord as StubUser } from '../../src/demo/legacy-service.js';
import { connectorSource } from '../../src/import/import-source.js';
import { runImport } from '../../src/import/run-import.js';
import { createProfileTransformer } from '../../src/migration/transform.js';
import { runScan } from '../../src/scan/run-scan.js';
import type { ScanReport } from '../../src/scan/scan-report.js';
import { htpasswd, run } from '../passwords/legacy/reference-tools.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { referenceHash } from '../support/legacy-stores.js';
import { missingTool } from '../support/tools.js';
import { signIn } from '../support/oidc-flow.js';

/**
 * The pre-flight scan against a legacy HTTP listing whose users cover every case (hashes of several tools, one no
 * scheme reads, none, disabled, a refused profile, clashes by case, full-width form and shared email, a login an
 * account here holds), asserted count by count; then the import it predicts is run, and must find exactly that.
 */

const user = (uid: string, name: string, hash?: string, extra: Partial<StubUser> = {}): StubUser => ({
  password: `${name}-password`,
  profile: { uid, user_name: name, mail: `${uid.toLowerCase()}@example.com`, first: name },
  ...(hash ? { listedHash: { passwordHash: hash } } : {}),
  ...extra,
});

function legacyUsers(): StubUser[] {
  const bcrypt = (password: string) => htpasswd('B', password);
  return [
    user('S-01', 'anna', bcrypt('anna-password')),
    user('S-02', 'bert', referenceHash.sha512crypt('bert-password')),
    {
      ...user('S-03', 'cleo'),
      listedHash: {
        passwordHash: run('openssl', ['md5', '-r'], 'cleo-password').split(' ')[0] ?? '',
        hashScheme: 'md5',
      },
    },
    user('S-04', 'dirk', 'aaGa3SvVJN7Lw'),
    user('S-05', 'ella'),
    user('S-06', 'finn', bcrypt('finn-password'), { status: 'disabled' }),
    {
      ...user('S-07', 'gina', bcrypt('gina-password')),
      profile: { uid: 'S-07', user_name: 'gina', mail: 'gina at example' },
    },
    user('S-08', 'Hugo', bcrypt('Hugo-password')),
    user('S-09', 'hugo', referenceHash.md5crypt('hugo-password')),
    user('S-10', 'ｉｖｙ', htpasswd('m', 'ivy-password')),
    user('S-11', 'ivy', htpasswd('m', 'ivy-password')),
    {
      ...user('S-12', 'jon', bcrypt('jon-password')),
      profile: { uid: 'S-12', user_name: 'jon', mail: 'team@example.com' },
    },
    { ...user('S-13', 'kai'), profile: { uid: 'S-13', user_name: 'kai', mail: 'Team@Example.com' } },
    user('S-14', 'lena', run('openssl', ['passwd', '-5', 'lena-password'])),
  ];
}

/** The hashes come from htpasswd and openssl. */
const skip = missingTool('htpasswd', 'openssl');

describe('the pre-flight scan and the readiness it predicts', { skip, timeout: 120_000 }, () => {
  let t: TestIdp;
  let dir: string;
  const legacyUsersListed = legacyUsers();
  const scan = async (leftBehindPath?: string) =>
    runScan(
      {
        legacy: t.idp.legacy ?? assert.fail('no legacy system'),
        accounts: t.idp.store.accounts,
        tombstones: t.idp.tombstones,
        transform: await createProfileTransformer({ ...t.config.migration }),
      },
      { sampleLimit: 10, ...(leftBehindPath ? { leftBehindPath } : {}) },
    );

  before(async () => {
    t = await startTestIdp({ users: legacyUsersListed });
    dir = mkdtempSync(join(tmpdir(), 'jit-idp-scan-test-'));
    // Two have moved (anna by signing in; Hugo's account is stored as a migration leaves it, since this legacy
    // stub folds case and cannot tell Hugo from hugo), and an account made here holds the legacy lena's name.
    assert.equal((await signIn(t.issuer, 'anna', 'anna-password')).status, 303);
    const now = new Date();
    const account = (username: string, legacyId?: string) => ({
      id: randomUUID(),
      username,
      emailVerified: false,
      roles: [],
      origin: legacyId ? ('migrated' as const) : ('registered' as const),
      ...(legacyId ? { legacy: { source: 'test-legacy', id: legacyId, migratedAt: now } } : {}),
      password: { kind: 'none' as const },
      createdAt: now,
      updatedAt: now,
    });
    await t.idp.store.accounts.insert(account('Hugo', 'S-08'));
    await t.idp.store.accounts.insert(account('Lena'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let first: ScanReport;

  it('counts every user exactly, by scheme, problem, clash and readiness, naming no secret', async () => {
    const leftBehindPath = join(dir, 'left-behind.jsonl');
    first = await scan(leftBehindPath);
    assert.equal(first.users, 14);
    assert.equal(first.passwordJudge, 'legacy-system');
    assert.deepEqual(first.hashSchemes, {
      bcrypt: 5,
      'sha512-crypt': 1,
      md5: 1,
      '(cannot be judged)': 1,
      '(none stored)': 2,
      'md5-crypt': 1,
      apr1: 2,
      'sha256-crypt': 1,
    });
    assert.deepEqual(first.unjudgeable, {
      total: 1,
      byReason: { 'traditional DES crypt is not supported': 1 },
      samples: [{ legacyId: 'S-04', username: 'dirk', reason: 'traditional DES crypt is not supported' }],
    });
    assert.deepEqual(first.disabled, { total: 1, samples: [{ legacyId: 'S-06', username: 'finn' }] });
    assert.deepEqual(first.validation, {
      total: 1,
      byField: { email: 1 },
      samples: [{ legacyId: 'S-07', username: 'gina', fields: ['email'] }],
    });
    assert.deepEqual(first.clashes.byKind, { exact: 0, case: 2, compatibility: 2, 'shared-email': 2 });
    assert.equal(first.clashes.withLocalAccounts, 2);
    assert.deepEqual(first.clashes.localSamples, [
      { legacyId: 'S-09', username: 'hugo' },
      { legacyId: 'S-14', username: 'lena' },
    ]);
    assert.deepEqual(first.clashes.groups, [
      {
        kind: 'case',
        login: 'hugo',
        size: 2,
        members: [
          { legacyId: 'S-08', username: 'Hugo', login: 'Hugo' },
          { legacyId: 'S-09', username: 'hugo', login: 'hugo' },
        ],
      },
      {
        kind: 'compatibility',
        login: 'ivy',
        size: 2,
        members: [
          { legacyId: 'S-10', username: 'ｉｖｙ', login: 'ｉｖｙ' },
          { legacyId: 'S-11', username: 'ivy', login: 'ivy' },
        ],
      },
      {
        kind: 'shared-email',
        login: 'team@example.com',
        size: 2,
        members: [
          { legacyId: 'S-12', username: 'jon', login: 'team@example.com' },
          { legacyId: 'S-13', username: 'kai', login: 'Team@Example.com' },
        ],
      },
    ]);
    const { readiness } = first;
    assert.equal(readiness.withAccount, 2);
    assert.equal(readiness.withoutAccount, 12);
    assert.deepEqual(readiness.leftBehind, {
      'never-signed-in': 5,
      'unsupported-hash': 1,
      disabled: 1,
      validation: 1,
      conflict: 4,
    });
    assert.deepEqual(readiness.importWouldRescue, { total: 6, keepingPassword: 4, mustResetPassword: 2 });
    assert.deepEqual(readiness.samples, {
      'never-signed-in': [
        { legacyId: 'S-02', username: 'bert' },
        { legacyId: 'S-03', username: 'cleo' },
        { legacyId: 'S-05', username: 'ella' },
        { legacyId: 'S-10', username: 'ｉｖｙ' },
        { legacyId: 'S-12', username: 'jon' },
      ],
      'unsupported-hash': [{ legacyId: 'S-04', username: 'dirk', detail: 'traditional DES crypt is not supported' }],
      disabled: [{ legacyId: 'S-06', username: 'finn' }],
      validation: [{ legacyId: 'S-07', username: 'gina', detail: 'email' }],
      conflict: [
        { legacyId: 'S-09', username: 'hugo', detail: 'a login an account here holds' },
        { legacyId: 'S-11', username: 'ivy', detail: 'a login an earlier legacy user holds' },
        { legacyId: 'S-13', username: 'kai', detail: 'a login an earlier legacy user holds' },
        { legacyId: 'S-14', username: 'lena', detail: 'a login an account here holds' },
      ],
    });
    const lines = readFileSync(leftBehindPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, 12, 'the file lists every user left behind');
    const text = JSON.stringify(first) + readFileSync(leftBehindPath, 'utf8');
    for (const legacy of legacyUsersListed) {
      assert.ok(!text.includes(legacy.password), 'no password');
      if (legacy.listedHash) assert.ok(!text.includes(legacy.listedHash.passwordHash), 'no hash');
    }
  });

  it('predicts exactly what an import then does, and the next scan shows it', async () => {
    const summary = await runImport(
      {
        accounts: t.idp.store.accounts,
        tombstones: t.idp.tombstones,
        transform: await createProfileTransformer({ ...t.config.migration }),
        record: async () => {},
        legacySource: t.idp.legacy?.source ?? '',
      },
      connectorSource(t.idp.legacy ?? assert.fail('no legacy system')),
    );
    assert.equal(summary.imported, first.readiness.importWouldRescue.total);
    assert.equal(summary.withoutPassword, first.readiness.importWouldRescue.mustResetPassword);
    assert.equal(summary.skipped, first.readiness.withAccount);
    assert.equal(summary.rejected, first.readiness.withoutAccount - first.readiness.importWouldRescue.total);

    const second = await scan();
    assert.equal(second.readiness.withAccount, 8);
    assert.deepEqual(second.readiness.leftBehind, {
      'never-signed-in': 0,
      'unsupported-hash': 0,
      disabled: 1,
      validation: 1,
      conflict: 4,
    });
    assert.deepEqual(second.readiness.importWouldRescue, { total: 0, keepingPassword: 0, mustResetPassword: 0 });
  });

  it('refuses to scan a legacy system that cannot list its users', async () => {
    await assert.rejects(
      runScan({
        legacy: { source: 'x', passwordJudge: 'legacy-system' },
        accounts: t.idp.store.accounts,
        tombstones: t.idp.tombstones,
        transform: await createProfileTransformer({ ...t.config.migration }),
      }),
      /cannot list its users/,
    );
  });
});
