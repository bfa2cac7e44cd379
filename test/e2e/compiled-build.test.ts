import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import { LEGACY_TOKEN } from '../support/harness.js';
import {
  buildIdp,
  COMPILED_MAIN,
  NODE_FLAGS,
  PROCESS_ENV,
  startIdpProcess,
  writeIdpConfig,
} from '../support/idp-process.js';
import { signIn } from '../support/oidc-flow.js';
import { freePort } from '../support/servers/process.js';

/**
 * `npm start` and the Docker image run the compiled build, not tsx: `npm run build` emits it, and the IdP it
 * starts finds its views, signs a user in through its hashing worker thread (which must be the compiled
 * hash-worker.js: node cannot run the .ts one), and still loads an operator's TypeScript module.
 */

describe('the compiled build', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-compiled-'));
  const legacy = new LegacyUserService({ users: DEMO_USERS, token: LEGACY_TOKEN });
  const alice = DEMO_USERS.find((user) => user.profile.user_name === 'alice');
  assert.ok(alice);

  /** An IdP from build/main.js on a config of its own; returns its issuer and the process. */
  const startCompiled = async (name: string, extra: Record<string, unknown> = {}) => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const config = writeIdpConfig(dir, {
      issuer,
      legacyUrl: legacy.url,
      sqlitePath: join(dir, `${name}.sqlite`),
      extra,
    });
    const idp = await startIdpProcess(
      { IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV },
      dir,
      /listening on port/,
      NODE_FLAGS,
      'compiled',
    );
    return { issuer, idp };
  };

  before(async () => {
    // Into the real build/: the compiled app finds views/ and public/ at its parent, the repository's root.
    buildIdp();
    await legacy.start();
  });
  after(async () => {
    await legacy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs on node alone and signs a user in through its hashing worker', async () => {
    const { issuer, idp } = await startCompiled('plain');
    try {
      assert.deepEqual(idp.child.spawnargs.slice(1), [...NODE_FLAGS, '--enable-source-maps', COMPILED_MAIN]);
      assert.doesNotMatch(idp.child.spawnargs.join(' '), /tsx|\.ts\b/);
      const page = await fetch(`${issuer}/.well-known/openid-configuration`);
      assert.equal(page.status, 200);

      // A first sign-in hashes the password on a worker thread; a second verifies against that hash.
      const first = await signIn(issuer, alice.profile.user_name, alice.password);
      assert.equal(first.status, 303, first.page);
      const claims = first.tokens?.claims();
      assert.equal(claims?.preferred_username, 'alice');
      const again = await signIn(issuer, alice.profile.user_name, alice.password);
      assert.equal(again.status, 303, again.page);
      assert.equal(again.tokens?.claims()?.sub, claims.sub);
      const wrong = await signIn(issuer, alice.profile.user_name, `${alice.password}!`);
      assert.equal(wrong.status, 401, 'refused by the worker, not by a crash');
      assert.doesNotMatch(idp.output(), /ERR_UNKNOWN_FILE_EXTENSION|Cannot find module/);
    } finally {
      idp.child.kill('SIGKILL');
    }
  });

  it('verifies a legacy hash on a compiled hashing thread, whose schemes load only then', () => {
    // {SSHA}: SHA-1 over the password and a salt, then the salt, base64 (slappasswd's format).
    const salt = Buffer.from('pepper!!');
    const digest = createHash('sha1').update('compiled secret').update(salt).digest();
    const hash = `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
    const script = `
      const { createPasswordHasher } = await import(${JSON.stringify(pathToFileURL(join(dirname(COMPILED_MAIN), 'passwords/password-hasher.js')).href)});
      const hasher = await createPasswordHasher({ cost: 4, threads: 1 });
      const verdicts = [];
      for (const password of ['compiled secret', 'wrong']) {
        verdicts.push((await hasher.verifyLegacy(password, ${JSON.stringify(hash)}, { scheme: 'detect' })).kind);
      }
      await hasher.close();
      process.stdout.write(JSON.stringify(verdicts));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), ['match', 'mismatch']);
  });

  it("loads an operator's TypeScript transform module through tsx, on demand", async () => {
    // Beside a package.json saying ES modules, as this repository's config/transform.example.ts is.
    const operatorDir = join(dir, 'operator');
    mkdirSync(operatorDir);
    writeFileSync(join(operatorDir, 'package.json'), JSON.stringify({ type: 'module' }));
    const transform = join(operatorDir, 'transform.ts');
    // Type annotations: this module does not load as JavaScript.
    writeFileSync(
      transform,
      `type Mapped = Record<string, unknown>;
const transform = (mapped: Mapped): Mapped => ({ ...mapped, name: \`\${String(mapped.name)} (transformed)\` });
export default transform;
`,
    );
    const { issuer, idp } = await startCompiled('transform', {
      migration: { mapping: DEMO_MAPPING, transformModule: transform },
    });
    try {
      const attempt = await signIn(issuer, alice.profile.user_name, alice.password);
      assert.equal(attempt.status, 303, attempt.page);
      const name = attempt.tokens?.claims()?.name;
      assert.ok(typeof name === 'string', 'a name claim');
      assert.match(name, / \(transformed\)$/);
    } finally {
      idp.child.kill('SIGKILL');
    }
  });
});
