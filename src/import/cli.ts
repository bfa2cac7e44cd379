import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createPasswordHasher } from '../passwords/password-hasher.js';
import { loadConfig } from '../config/load-config.js';
import { runCli, UsageError } from '../cli/run-cli.js';
import { createEventRecorder } from '../events/recorder.js';
import { withDemoLegacy } from '../demo/demo-mode.js';
import { createConnector } from '../legacy/create-connector.js';
import { createLogger } from '../log/logger.js';
import { createLegacyTombstones, TOMBSTONE_KEY_SECRET } from '../erasure/legacy-tombstones.js';
import { openSecretBox, storeKey } from '../security/secret-keys.js';
import { createProfileTransformer } from '../migration/transform.js';
import { openStore } from '../store/open-store.js';
import { connectorSource, fileSource, formatOf, type ImportSource } from './import-source.js';
import { progressPrinter } from '../cli/progress.js';
import { runImport, type ImportProgress } from './run-import.js';

const USAGE = `npm run import -- (--file <users.jsonl|users.csv> | --from-legacy) [options]

  --file <path>         JSON Lines or CSV (header row) of legacy profiles, with optional passwordHash, hashScheme, salt
  --format jsonl|csv    when the file name does not say
  --from-legacy         read the configured legacy system's own user listing
  --source <name>       legacy source the accounts belong to (default: legacy.source from the configuration)
  --dry-run             transform, validate and check for clashes; store nothing
  --report <path>       rejected records and their reasons, as JSON Lines (default: data/import-report.jsonl)
  --checkpoint <path>   resume point after a crash (default: data/import-checkpoint.json)
  --fresh               ignore an existing checkpoint and start over
  --page-size <n>       users per stored batch (default 1000)
`;

/** `npm run import`: the bulk import of the stragglers, with the IdP's own configuration and store. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      format: { type: 'string' },
      'from-legacy': { type: 'boolean', default: false },
      source: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      report: { type: 'string', default: 'data/import-report.jsonl' },
      checkpoint: { type: 'string', default: 'data/import-checkpoint.json' },
      fresh: { type: 'boolean', default: false },
      'page-size': { type: 'string', default: '1000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || (!values.file && !values['from-legacy']) || (values.file && values['from-legacy'])) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 64;
  }
  const pageSize = Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new UsageError('--page-size must be a positive integer');

  const loaded = loadConfig().config;
  // Demo mode (no legacy system configured): the demo legacy service and mapping, as `npm start` runs them, so the
  // demo's users import exactly as its sign-ins migrate them (same source, same roles). It runs inside `npm start`.
  const config = loaded.legacy ? loaded : withDemoLegacy(loaded);
  if (values.file && !existsSync(values.file)) throw new UsageError(`no such file: ${values.file}`);
  checkpointPath = values.checkpoint;
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const store = await openStore(config.store, logger);
  const hasher = await createPasswordHasher({ cost: config.passwords.bcryptCost, threads: 1 });
  const connector =
    values['from-legacy'] && config.legacy ? await createConnector(config.legacy, hasher, logger) : undefined;
  try {
    let source: ImportSource;
    if (values.file) {
      const format = (values.format as 'jsonl' | 'csv' | undefined) ?? formatOf(values.file);
      if (format !== 'jsonl' && format !== 'csv') throw new UsageError('say --format jsonl or --format csv');
      source = fileSource(resolve(values.file), format, pageSize);
    } else {
      if (!connector) throw new UsageError('--from-legacy needs "legacy" in the configuration');
      source = connectorSource(connector);
    }
    const legacySource = values.source ?? config.legacy?.source ?? 'legacy';
    const transform = await createProfileTransformer({
      ...config.migration,
      onModuleError: (error) => logger.error({ err: error }, 'transform module failed'),
    });
    // Sealed with the IdP's own keys (the same configuration, or the key kept in the same store), so it opens them.
    // Only when a secret can come (the mapping or the transform module sets one), so as not to warn about keys else.
    const legacyFactors =
      config.migration.mapping.totpSecret !== undefined || config.migration.transformModule !== undefined
        ? { factors: store.factors, secretBox: await openSecretBox(config, store.secrets, logger) }
        : undefined;
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort(new Error('interrupted')));
    const summary = await runImport(
      {
        accounts: store.accounts,
        transform,
        record: createEventRecorder(store.events, logger),
        legacySource,
        legacyFactors,
        tombstones: createLegacyTombstones(
          store.tombstones,
          await storeKey(store.secrets, await openSecretBox(config, store.secrets, logger), TOMBSTONE_KEY_SECRET),
        ),
      },
      source,
      {
        dryRun: values['dry-run'],
        checkpointPath: values.checkpoint,
        fresh: values.fresh,
        reportPath: values.report,
        onProgress: progressPrinter(process.stderr, (progress: ImportProgress) => ({
          done: progress.read,
          total: progress.total,
          elapsedMs: progress.elapsedMs,
          noun: 'read',
          counts: [
            ['imported', progress.imported],
            ['skipped', progress.skipped],
            ['rejected', progress.rejected],
          ],
        })),
        signal: controller.signal,
      },
    );
    process.stdout.write(
      `${summary.dryRun ? 'dry run: nothing stored. ' : ''}read ${summary.read}, imported ${summary.imported} ` +
        `(${summary.withoutPassword} must reset their password), skipped ${summary.skipped} (already here), ` +
        `rejected ${summary.rejected}${summary.rejected > 0 ? ` (see ${values.report})` : ''} in ` +
        `${(summary.durationMs / 1000).toFixed(1)} s${summary.resumedFrom ? ', resumed from the checkpoint' : ''}\n` +
        (summary.withTotp + summary.invalidTotp > 0
          ? `with their authenticator app: ${summary.withTotp}; without it (not a usable TOTP secret): ` +
            `${summary.invalidTotp}\n`
          : ''),
    );
    return 0;
  } finally {
    await connector?.close();
    await hasher.close();
    await store.close();
  }
}

/** Set once the import can have stored pages: only then is "run it again" the way on. */
let checkpointPath: string | undefined;

await runCli(main, 'import stopped', (error) => {
  if ((error as { code?: unknown }).code === 'ECONNREFUSED') {
    return 'The legacy system did not answer. In demo mode its service runs inside `npm start`: start that first.';
  }
  return checkpointPath && existsSync(checkpointPath)
    ? 'Run the same command again to resume from the last stored page.'
    : undefined;
});
