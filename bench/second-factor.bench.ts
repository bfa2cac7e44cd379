import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import * as OTPAuth from 'otpauth';
import type { Account } from '../src/accounts/account.js';
import { LegacyUserService } from '../src/demo/legacy-service.js';
import { createSecretBox } from '../src/security/secret-box.js';
import { totpSealContext } from '../src/mfa/second-factor.js';
import { newTotpSecret } from '../src/mfa/totp.js';
import { openEmbeddedStore } from '../src/store/embedded/embedded-store.js';
import { LEGACY_TOKEN, TEST_CLIENTS } from '../test/support/harness.js';
import { buildIdp, NODE_FLAGS, PROCESS_ENV, startIdpProcess, writeIdpConfig } from '../test/support/idp-process.js';
import { freePort } from '../test/support/servers/process.js';
import { leanSignIn } from './lean-sign-in.js';
import { bcryptBound, mean, throughput } from './measure.js';

/**
 * `npm run bench -- second-factor`: what a TOTP second step costs a loaded IdP. The same IdP, on one store, signs in
 * users with a password alone and users with an authenticator app (the code computed here, as the app would), at 8
 * and 32 in flight, each load's rate taken as a share of the machine's hashing bound measured around it. Issue 15's
 * target: the share with the second step within 5 points of the password-only share. Every TOTP sign-in is a
 * different user, since a code works once (its time step is used up).
 */

const COST = 10;
const LOADS = (process.env.BENCH_CONCURRENCY ?? '8,32').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const BOUND_SECONDS = Number(process.env.BENCH_BOUND_SECONDS ?? 6);
const PASSWORD = 'bench second factor password';
const PASSWORD_ONLY_USERS = 100;
// One more for the warm-up.
const TOTP_USERS = ROUNDS * LOADS.length + 1;

/** Accounts with one password, and for the TOTP users a factor sealed with the key the IdP is given. */
async function populate(path: string, key: Buffer): Promise<Map<string, OTPAuth.TOTP>> {
  const store = openEmbeddedStore(path);
  const hash = bcrypt.hashSync(PASSWORD, COST);
  const box = createSecretBox([{ id: 'bench', key }]);
  const at = new Date();
  const account = (username: string): Account => ({
    id: randomUUID(),
    username,
    email: `${username}@example.com`,
    emailVerified: true,
    roles: [],
    origin: 'registered',
    password: { kind: 'bcrypt', hash },
    createdAt: at,
    updatedAt: at,
  });
  const apps = new Map<string, OTPAuth.TOTP>();
  try {
    await store.accounts.insertMany(Array.from({ length: PASSWORD_ONLY_USERS }, (_, i) => account(`pwd${String(i)}`)));
    const withApps = Array.from({ length: TOTP_USERS }, (_, i) => account(`otp${String(i)}`));
    await store.accounts.insertMany(withApps);
    for (const user of withApps) {
      const secret = newTotpSecret();
      apps.set(user.username, new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }));
      await store.factors.add([
        {
          id: randomUUID(),
          accountId: user.id,
          kind: 'totp',
          data: { secret: box.seal(secret, totpSealContext(user.id)) },
          mark: 0,
          createdAt: at,
        },
      ]);
    }
  } finally {
    await store.close();
  }
  return apps;
}

async function main() {
  buildIdp();
  const dir = mkdtempSync(join(tmpdir(), 'jit-idp-bench-mfa-'));
  const legacy = new LegacyUserService({ users: [], token: LEGACY_TOKEN });
  await legacy.start();
  const rows: [string, string][] = [];
  const row = (what: string, figure: string) => {
    rows.push([what, figure]);
    process.stderr.write(`  ${what}: ${figure}\n`);
  };
  let stop = () => {};
  try {
    const key = randomBytes(32);
    const sqlitePath = join(dir, 'mfa.sqlite');
    const apps = await populate(sqlitePath, key);
    const port = await freePort();
    const issuer = `http://127.0.0.1:${String(port)}`;
    const config = writeIdpConfig(dir, {
      issuer,
      legacyUrl: legacy.url,
      sqlitePath,
      extra: {
        passwords: { bcryptCost: COST, hashingThreads: 0 },
        mfa: { encryptionKeys: [{ id: 'bench', key: key.toString('base64') }] },
      },
    });
    const idp = await startIdpProcess(
      { IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV },
      dir,
      undefined,
      NODE_FLAGS,
      'compiled',
    );
    stop = () => idp.child.kill('SIGKILL');
    row('machine', `${String(availableParallelism())} cores, Node ${process.version}, bcrypt cost ${String(COST)}`);

    let nextTotpUser = 0;
    const passwordOnly = (n: number) =>
      leanSignIn(issuer, TEST_CLIENTS.firstParty, `pwd${String(n % PASSWORD_ONLY_USERS)}`, PASSWORD);
    const withApp = () => {
      const login = `otp${String(nextTotpUser++)}`;
      const app = apps.get(login);
      if (!app) throw new Error(`no app for ${login}`);
      return leanSignIn(issuer, TEST_CLIENTS.firstParty, login, PASSWORD, () => app.generate());
    };
    await passwordOnly(0); // warm-up: keys, views, threads
    await withApp();

    for (const lanes of LOADS) {
      const shares: Record<string, number> = {};
      for (const [name, signIn] of [
        ['password only', passwordOnly],
        ['password and TOTP code', withApp],
      ] as const) {
        let failed = 0;
        const before = await bcryptBound(COST, BOUND_SECONDS);
        const perSecond = await throughput(lanes, ROUNDS, async (n) => {
          await signIn(n).catch(() => failed++);
        });
        const bound = mean([before, await bcryptBound(COST, BOUND_SECONDS)]);
        shares[name] = perSecond / bound;
        row(
          `${String(lanes)} in flight, ${name}: sign-ins/s, share of the hashing bound, errors`,
          `${perSecond.toFixed(1)}, ${((perSecond / bound) * 100).toFixed(1)}% of ${bound.toFixed(1)}, ${String(failed)} of ${String(ROUNDS)}`,
        );
      }
      const points = ((shares['password only'] ?? 0) - (shares['password and TOTP code'] ?? 0)) * 100;
      row(`  ${String(lanes)} in flight: the second step costs (target <= 5 points)`, `${points.toFixed(1)} points`);
    }
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n\n`);
  } finally {
    stop();
    await legacy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
