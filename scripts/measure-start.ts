/**
 * Start time and idle memory of the IdP, from source through tsx and from the compiled build:
 *
 *   npx tsx scripts/measure-start.ts [runs]        (3 runs of each by default; builds first)
 *
 * Each run starts a fresh process on a config of its own (an embedded store in a scratch directory, the demo legacy
 * service, one hashing thread) and takes the time from spawn to "listening on port", then signs one user in and,
 * once idle, reads the process's resident memory (Linux: /proc/<pid>/status). The variants run interleaved, so a
 * busy machine weighs on each alike. tsx's own compile cache (in the temp directory) is warm after the first run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_USERS } from '../src/demo/demo-users.js';
import { LegacyUserService } from '../src/demo/legacy-service.js';
import { LEGACY_TOKEN } from '../test/support/harness.js';
import {
  NODE_FLAGS,
  PROCESS_ENV,
  startIdpProcess,
  writeIdpConfig,
  type IdpEntry,
} from '../test/support/idp-process.js';
import { signIn } from '../test/support/oidc-flow.js';
import { freePort } from '../test/support/servers/process.js';

interface Variant {
  label: string;
  entry: IdpEntry;
  flags: readonly string[];
}

const VARIANTS: readonly Variant[] = [
  { label: 'node --import tsx src/main.ts', entry: 'source', flags: NODE_FLAGS },
  { label: 'node --enable-source-maps build/main.js', entry: 'compiled', flags: NODE_FLAGS },
];
const IDLE_MS = 2000;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 3);

function residentMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return Math.round(kilobytes / 1024);
}

async function measure(variant: Variant, legacyUrl: string, dir: string): Promise<{ startMs: number; rssMb: number }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const config = writeIdpConfig(dir, { issuer, legacyUrl, sqlitePath: join(dir, `${String(Date.now())}.sqlite`) });
  const started = performance.now();
  const idp = await startIdpProcess(
    { IDP_CONFIG: config, PORT: String(port), ...PROCESS_ENV },
    dir,
    /listening on port/,
    variant.flags,
    variant.entry,
  );
  const startMs = Math.round(performance.now() - started);
  try {
    const alice = DEMO_USERS[0];
    if (!alice) throw new Error('no demo user');
    const attempt = await signIn(issuer, alice.profile.user_name, alice.password);
    if (attempt.status !== 303) throw new Error(`sign-in failed (${String(attempt.status)}):\n${idp.output()}`);
    await sleep(IDLE_MS);
    const pid = idp.child.pid;
    if (pid === undefined) throw new Error('no pid');
    return { startMs, rssMb: residentMegabytes(pid) };
  } finally {
    idp.child.kill('SIGKILL');
    await idp.exited;
  }
}

const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const dir = mkdtempSync(join(tmpdir(), 'jit-idp-measure-'));
const legacy = new LegacyUserService({ users: DEMO_USERS, token: LEGACY_TOKEN });
await legacy.start();
const results = new Map<string, { startMs: number; rssMb: number }[]>(VARIANTS.map((v) => [v.label, []]));
try {
  for (let run = 0; run < runs; run++) {
    for (const variant of VARIANTS) results.get(variant.label)?.push(await measure(variant, legacy.url, dir));
  }
} finally {
  await legacy.stop();
  rmSync(dir, { recursive: true, force: true });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
for (const [label, samples] of results) {
  const starts = samples.map((s) => s.startMs);
  const rss = samples.map((s) => s.rssMb);
  process.stdout.write(
    `${label}\n  spawn to listening: ${starts.join(', ')} ms (median ${median(starts)})\n` +
      `  idle RSS after one sign-in: ${rss.join(', ')} MB (median ${median(rss)})\n`,
  );
}
