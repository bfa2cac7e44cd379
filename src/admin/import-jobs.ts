import type { RecordEvent } from '../events/recorder.js';
import { connectorSource } from '../import/import-source.js';
import { runImport, type ImportProgress, type ImportSummary } from '../import/run-import.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { Logger } from '../log/logger.js';
import type { ProfileTransformer } from '../migration/transform.js';
import type { Store } from '../store/store.js';
import type { Admin } from './admin-access.js';
import { READINESS_SETTING, type Readiness } from './stats.js';

/**
 * Imports started from the console or the API: the legacy system's listing, imported (or only counted, for the
 * readiness check) in the background, one at a time per process. The CLI does the same for files.
 */

export type JobKind = 'import' | 'readiness';

export interface JobStatus {
  kind: JobKind;
  startedBy: string;
  startedAt: string;
  running: boolean;
  progress?: ImportProgress;
  summary?: ImportSummary;
  error?: string;
}

export interface ImportJobs {
  status(): JobStatus | undefined;
  start(kind: JobKind, admin: Admin): { kind: 'started' } | { kind: 'busy' } | { kind: 'impossible'; reason: string };
  /** Resolves when the current job (if any) has ended; for tests and shutdown. */
  settled(): Promise<void>;
}

export function createImportJobs(deps: {
  store: Store;
  legacy: LegacySystem | undefined;
  transform: ProfileTransformer;
  record: RecordEvent;
  logger: Logger;
}): ImportJobs {
  let current: JobStatus | undefined;
  let running: Promise<void> = Promise.resolve();

  return {
    status: () => current,
    settled: () => running,
    start(kind, admin) {
      if (current?.running) return { kind: 'busy' };
      const legacy = deps.legacy;
      if (!legacy?.enumerateUsers) return { kind: 'impossible', reason: 'the legacy connector cannot list its users' };
      const job: JobStatus = { kind, startedBy: admin.id, startedAt: new Date().toISOString(), running: true };
      current = job;
      const dryRun = kind === 'readiness';
      running = (async () => {
        await deps.record({
          type: 'admin_action',
          adminId: admin.id,
          action: dryRun ? 'readiness_check' : 'import_started',
        });
        try {
          job.summary = await runImport(
            {
              accounts: deps.store.accounts,
              transform: deps.transform,
              record: deps.record,
              legacySource: legacy.source,
            },
            connectorSource(legacy),
            { dryRun, onProgress: (progress) => (job.progress = progress) },
          );
          if (dryRun) {
            const readiness: Readiness = {
              checkedAt: new Date().toISOString(),
              by: admin.id,
              legacyTotal: job.summary.read,
              withoutAccount: job.summary.imported,
              rejected: job.summary.rejected,
            };
            await deps.store.settings.set(READINESS_SETTING, readiness);
          } else {
            await deps.record({
              type: 'admin_action',
              adminId: admin.id,
              action: 'import_finished',
              detail: { imported: job.summary.imported, skipped: job.summary.skipped, rejected: job.summary.rejected },
            });
          }
        } catch (error) {
          job.error = error instanceof Error ? error.message : String(error);
          deps.logger.error({ err: error, kind }, 'console import failed');
        } finally {
          job.running = false;
        }
      })();
      return { kind: 'started' };
    },
  };
}
