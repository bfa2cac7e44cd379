import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: every part, one after another, each in its own process with the node flags it needs.
 * `npm run bench -- --peer glewlwyd` runs the side-by-side comparison with a peer IdP instead
 * (bench/peer.bench.ts); `npm run bench -- <part> ...` runs only the parts named; `--store postgres` runs the IdP of
 * the sign-in part on a private PostgreSQL instead of the embedded store.
 */
const PARTS: Record<string, readonly string[]> = {
  'sign-in': ['--max-semi-space-size=32'],
  connectors: [],
  import: [],
  scan: ['--expose-gc'],
  'account-search': [],
  'second-factor': [],
};

const TSX = import.meta.resolve('tsx');
const file = (name: string) => fileURLToPath(new URL(`./${name}.bench.ts`, import.meta.url));

function run(name: string, flags: readonly string[], args: readonly string[] = []): void {
  const { status, signal } = spawnSync(process.execPath, [...flags, '--import', TSX, file(name), ...args], {
    stdio: 'inherit',
  });
  if (status !== 0) {
    process.stderr.write(`bench ${name} failed (${signal ?? `exit ${String(status)}`})\n`);
    process.exit(status ?? 1);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--peer') {
  run('peer', [], args);
} else {
  // `--store postgres`: the parts that run the IdP (sign-in) run it on that store.
  const storeAt = args.indexOf('--store');
  const storeArgs = storeAt >= 0 ? args.splice(storeAt, 2) : [];
  const unknown = args.filter((name) => !(name in PARTS));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown part ${unknown.join(', ')}; parts: ${Object.keys(PARTS).join(', ')}, or --peer glewlwyd\n`,
    );
    process.exit(64);
  }
  const chosen = args.length > 0 ? args : Object.keys(PARTS);
  for (const name of chosen) run(name, PARTS[name] ?? [], name === 'sign-in' ? storeArgs : []);
}
