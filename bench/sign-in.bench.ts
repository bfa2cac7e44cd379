import { availableParallelism } from 'node:os';
import { createPasswordHasher } from '../src/accounts/password-hasher.js';
import { startTestIdp } from '../test/support/harness.js';
import { signIn } from '../test/support/oidc-flow.js';

/**
 * `npm run bench`: sign-in figures on this machine, measured in one run. Every sign-in is the whole authorization
 * code flow with PKCE through the hosted page (authorize, page, form post, redirects, token exchange) by a real
 * OIDC client, against the embedded store and a legacy stub on loopback.
 */

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function hashingBound(cost: number): Promise<number> {
  const hasher = await createPasswordHasher({ cost, threads: 0 });
  const hash = await hasher.hash('benchmark password');
  const n = availableParallelism() * 20;
  const elapsed = await timed(() =>
    Promise.all(Array.from({ length: n }, () => hasher.verify('benchmark password', hash))),
  );
  await hasher.close();
  return n / (elapsed / 1000);
}

async function main() {
  const cost = 10;
  const bound = await hashingBound(cost);
  const users = Array.from({ length: SAMPLES * 2 }, (_, i) => ({
    password: `bench-password-${i}`,
    profile: { uid: `B-${i}`, user_name: `bench${i}`, mail: `bench${i}@example.com`, first: 'Bench', last: String(i) },
  }));
  const t = await startTestIdp({
    users,
    config: { logLevel: 'warn', passwords: { bcryptCost: cost, hashingThreads: 0 } },
  });
  try {
    const check = async (login: string, password: string) => {
      const attempt = await signIn(t.issuer, login, password);
      if (!attempt.tokens) throw new Error(`sign-in of ${login} failed with ${attempt.status}`);
    };

    // First sign-ins (JIT migration), one at a time.
    const jit: number[] = [];
    for (let i = 0; i < SAMPLES; i++) jit.push(await timed(() => check(`bench${i}`, `bench-password-${i}`)));

    // Later sign-ins of the same, now migrated, users.
    const local: number[] = [];
    for (let i = 0; i < SAMPLES; i++) local.push(await timed(() => check(`bench${i}`, `bench-password-${i}`)));

    // Throughput: migrated users signing in with CONCURRENCY flows in flight.
    let next = 0;
    const rounds = SAMPLES * 2;
    const elapsed = await timed(() =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < rounds) {
            const i = next++ % SAMPLES;
            await check(`bench${i}`, `bench-password-${i}`);
          }
        }),
      ),
    );
    const throughput = rounds / (elapsed / 1000);

    const rows: [string, string][] = [
      ['machine', `${availableParallelism()} cores, Node ${process.version}, bcrypt cost ${cost}`],
      ['hashing bound (bcrypt verifications/s, all cores)', bound.toFixed(1)],
      ['normal sign-in, median / p95', `${ms(quantile(local, 0.5))} / ${ms(quantile(local, 0.95))}`],
      ['first sign-in with JIT migration, median / p95', `${ms(quantile(jit, 0.5))} / ${ms(quantile(jit, 0.95))}`],
      ['JIT extra latency (median)', ms(quantile(jit, 0.5) - quantile(local, 0.5))],
      [`full sign-ins/s, ${CONCURRENCY} concurrent (migrated users)`, throughput.toFixed(1)],
      ['sign-ins/s as share of the hashing bound', `${((throughput / bound) * 100).toFixed(0)}%`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n\n`);
  } finally {
    await t.close();
  }
}

await main();
