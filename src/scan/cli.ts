import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createPasswordHasher } from '../passwords/password-hasher.js';
import { progressPrinter } from '../cli/progress.js';
import { loadConfig } from '../config/load-config.js';
import { runCli, UsageError } from '../cli/run-cli.js';
import { withDemoLegacy } from '../demo/demo-mode.js';
import { createConnector } from '../legacy/create-connector.js';
import { createLogger } from '../log/logger.js';
import { createProfileTransformer } from '../migration/transform.js';
import { createLegacyTombstones, TOMBSTONE_KEY_SECRET } from '../erasure/legacy-tombstones.js';
import { openSecretBox, storeKey } from '../security/secret-keys.js';
import { openStore } from '../store/open-store.js';
import { runScan, type ScanProgress } from './run-scan.js';
import { summariseReport } from './scan-report.js';

const USAGE = `npm run legacy:scan -- [options]

Reads the configured legacy system's whole user listing, read-only and without any password, and reports how its
hashes are made, which cannot be judged, who is disabled, whose logins clash, whose profiles the mapping refuses,
and who a cut-off would leave behind now. Nothing is stored.

  --json <path>         the whole report as JSON (default: data/legacy-scan.json)
  --left-behind <path>  every user a cut-off would leave behind, as JSON Lines (legacy id, username, reason)
  --samples <n>         users named per category in the JSON report (default 100)
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string', default: 'data/legacy-scan.json' },
      'left-behind': { type: 'string' },
      samples: { type: 'string', default: '100' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const sampleLimit = Number(values.samples);
  if (!Number.isInteger(sampleLimit) || sampleLimit < 0) throw new UsageError('--samples must be a whole number');

  const loaded = loadConfig().config;
  // Demo mode: the demo legacy service (running inside `npm start`) and its mapping.
  const config = loaded.legacy ? loaded : withDemoLegacy(loaded);
  if (!config.legacy) throw new UsageError('the configuration has no "legacy" system to scan');
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const store = await openStore(config.store, logger);
  // The scan verifies no password; the connector only wants a hasher for its decoys at sign-in.
  const hasher = await createPasswordHasher({ cost: config.passwords.bcryptCost, threads: 1 });
  const connector = await createConnector(config.legacy, hasher, logger);
  try {
    const transform = await createProfileTransformer({
      ...config.migration,
      onModuleError: (error) => logger.error({ err: error }, 'transform module failed'),
    });
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort(new Error('interrupted')));
    if (values['left-behind']) await mkdir(dirname(values['left-behind']), { recursive: true });
    const report = await runScan(
      {
        legacy: connector,
        accounts: store.accounts,
        transform,
        // Who erased their account here is neither here nor left behind (legacy-tombstones.ts).
        tombstones: createLegacyTombstones(
          store.tombstones,
          await storeKey(store.secrets, await openSecretBox(config, store.secrets, logger), TOMBSTONE_KEY_SECRET),
        ),
      },
      {
        signal: controller.signal,
        sampleLimit,
        ...(values['left-behind'] ? { leftBehindPath: values['left-behind'] } : {}),
        onProgress: progressPrinter(process.stderr, (progress: ScanProgress) => ({
          done: progress.users,
          total: progress.total,
          elapsedMs: progress.elapsedMs,
          noun: 'scanned',
        })),
      },
    );
    await mkdir(dirname(values.json), { recursive: true });
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${summariseReport(report)}\nReport: ${values.json}\n`);
    return 0;
  } finally {
    await connector.close();
    await hasher.close();
    await store.close();
  }
}

await runCli(main, 'scan stopped');
