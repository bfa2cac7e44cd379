#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner and tsx. Node 20's runner cannot glob, so this does.
//
//   node scripts/run-tests.mjs                 everything (npm test)
//   node scripts/run-tests.mjs --fast          the fast tier (npm run test:fast)
//   node scripts/run-tests.mjs --slow          everything the fast tier leaves out
//   node scripts/run-tests.mjs <part> [...]    the files whose path contains one of the parts (with or without a tier)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

// The tiers. The fast one is the unit and contract tests: code called in-process, an IdP on the embedded store,
// stub legacy systems, test vectors from the reference hash tools. It leaves out what is slow by nature:
// - whole directories: test/e2e (the IdP driven end to end, several processes, real servers), test/browser
//   (Chromium), test/faults (processes killed, stores and legacy systems failing over seconds);
// - the files below, which start a real PostgreSQL, MariaDB or OpenLDAP (seconds each, many instances), or drive
//   the migration tools end to end: the import's own command-line processes, killed mid-way (half a minute), and
//   the pre-flight scan followed by the import it predicts.
// A new test file lands in the fast tier unless it is in one of those directories or listed here: keep it fast.
const SLOW_DIRECTORIES = ['test/e2e/', 'test/browser/', 'test/faults/'];
const SLOW_FILES = [
  'test/support/servers/servers.test.ts',
  'test/legacy/sql-connector.test.ts',
  'test/legacy/ldap-connector.test.ts',
  'test/legacy/ldap-groups-import.test.ts',
  'test/legacy/ldap-password-policy.test.ts',
  'test/import/import.test.ts',
  'test/scan/run-scan.test.ts',
  'test/passwords/legacy/yescrypt-costs.test.ts',
  'test/store/postgres-store.test.ts',
];

// Files that assert timings (the equal answer time of every refused sign-in, waits measured in milliseconds): they run
// after the others, one at a time, so that no other file's hashing or processes share the two cores with them. Run
// beside another file they failed now and then on a busy machine, by a few hundred milliseconds, never alone.
// multi-host bounds how fast hosts notice a cut or a restart of their database, and its 1,000 sign-ins over three IdP
// processes take the two cores for over a minute: beside another file it would run past the runner's timeout.
const ALONE = [
  'test/e2e/rate-limits.test.ts',
  'test/e2e/failure-timing.test.ts',
  'test/e2e/sign-in-burst.test.ts',
  'test/faults/multi-host.test.ts',
];

// The longest files of the fast tier (seconds of hashing at real costs) start first there, so that the runner's two
// lanes finish together instead of one of them starting a long file at the end.
const LONGEST_FIRST = ['test/passwords/legacy/yescrypt.test.ts', 'test/passwords/password-hash.test.ts'];

const slash = (file) => file.split(sep).join('/');
const isSlow = (file) => {
  const path = slash(file);
  return SLOW_DIRECTORIES.some((dir) => path.startsWith(dir)) || SLOW_FILES.includes(path);
};

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const args = process.argv.slice(2);
const tier = args.includes('--fast') ? 'fast' : args.includes('--slow') ? 'slow' : 'all';
const filters = args.filter((arg) => arg !== '--fast' && arg !== '--slow');
// TEST_EXCLUDE: comma-separated parts of paths to leave out.
const excluded = (process.env.TEST_EXCLUDE ?? '').split(',').filter((part) => part !== '');
const files = findTests('test')
  .filter((file) => tier === 'all' || isSlow(file) === (tier === 'slow'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .filter((file) => !excluded.some((part) => file.includes(part)))
  .sort();
if (tier === 'fast') {
  const rank = (file) => (LONGEST_FIRST.includes(slash(file)) ? 0 : 1);
  files.sort((a, b) => rank(a) - rank(b));
}
if (files.length === 0) {
  console.error(`no ${tier === 'all' ? '' : `${tier}-tier `}test files match ${filters.join(' ')}`);
  process.exit(1);
}
const run = (concurrency, group) =>
  group.length === 0
    ? 0
    : (spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--test',
          `--test-concurrency=${concurrency}`,
          '--test-timeout=300000',
          '--test-reporter=spec',
          ...group,
        ],
        { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
      ).status ?? 1);
const alone = (file) => ALONE.includes(slash(file));
const together = run(
  2,
  files.filter((file) => !alone(file)),
);
const oneByOne = run(1, files.filter(alone));
process.exit(Math.max(together, oneByOne));
