import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { LEGACY_TOKEN, RP_REDIRECT, TEST_CLIENTS } from './harness.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
/** `npm run build`'s entry point, which `npm start` and the Docker image run. */
export const COMPILED_MAIN = fileURLToPath(new URL('../../build/main.js', import.meta.url));
/**
 * The V8 flags `npm start` and the Docker image give the IdP: a young generation large enough that a sign-in's
 * short-lived objects die there (see docs/production.md).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
// Resolved here, because the processes run in a scratch directory without node_modules.
const TSX = import.meta.resolve('tsx');

/**
 * Which entry point a process runs: the source through tsx (`npm run dev`, and what the tests exercise), or the
 * compiled build (`npm start`, the Docker image; build it first).
 */
export type IdpEntry = 'source' | 'compiled';

/** The environment `npm start` and the Docker image add for the compiled build: two malloc arenas, not one per thread. */
export const COMPILED_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/** The IdP's entry point running as its own process. */
export interface IdpProcess {
  child: ChildProcess;
  output: () => string;
  /** The exit code; null when a signal ended it. */
  exited: Promise<number | null>;
}

/** Starts the IdP with only the given environment; resolves once its output matches `waitFor` (null: at exit). */
export function startIdpProcess(
  env: Record<string, string>,
  cwd: string,
  waitFor: RegExp | null = /listening on port/,
  nodeFlags: readonly string[] = NODE_FLAGS,
  entry: IdpEntry = 'source',
): Promise<IdpProcess> {
  const args = entry === 'source' ? ['--import', TSX, MAIN] : ['--enable-source-maps', COMPILED_MAIN];
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...(entry === 'compiled' ? COMPILED_ENV : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (waitFor?.test(output)) resolve({ child, output: () => output, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      if (!waitFor) resolve({ child, output: () => output, exited });
      else reject(new Error(`exited with ${String(code)} before ${String(waitFor)}:\n${output}`));
    });
  });
}

/**
 * A config file for IdP processes on one embedded store and one legacy HTTP stub (its token in `LEGACY_TOKEN`),
 * serving the first-party test client. Returns its path, for `IDP_CONFIG`.
 */
export function writeIdpConfig(
  dir: string,
  options: {
    issuer: string;
    legacyUrl: string;
    /** The embedded store's file, or `store`: the store's whole configuration (a PostgreSQL URL, say). */
    sqlitePath?: string;
    store?: Record<string, unknown>;
    extra?: Record<string, unknown>;
  },
): string {
  const file = join(dir, `idp-${String(Date.now())}-${String(Math.random()).slice(2, 8)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      issuer: options.issuer,
      host: '127.0.0.1',
      logLevel: 'warn',
      store: options.store ?? { sqlitePath: options.sqlitePath },
      passwords: { hashingThreads: 1 },
      legacy: { kind: 'http', baseUrl: options.legacyUrl, auth: { type: 'bearer', token: '${LEGACY_TOKEN}' } },
      migration: { mapping: DEMO_MAPPING },
      clients: [{ ...TEST_CLIENTS.firstParty, redirect_uris: [RP_REDIRECT], first_party: true }],
      rateLimits: { enabled: false },
      ...options.extra,
    }),
  );
  return file;
}

export const PROCESS_ENV = { LEGACY_TOKEN } as const;

/** `npm run build`, so that build/main.js is the source's current state (incremental: seconds when unchanged). */
export function buildIdp(): void {
  const built = spawnSync('npm', ['run', 'build'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
}
