import type { LegacyTombstones } from '../erasure/legacy-tombstones.js';
import type { RecordEvent } from '../events/recorder.js';
import { connectorSource } from '../import/import-source.js';
import { runImport, type ImportProgress, type ImportSummary } from '../import/run-import.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { Logger } from '../log/logger.js';
import type { LegacyFactorDependencies } from '../migration/legacy-totp.js';
import type { ProfileTransformer } from '../migration/transform.js';
import { runScan, type ScanProgress } from '../scan/run-scan.js';
import type { ScanReport } from '../scan/scan-report.js';
import type { Store } from '../store/store.js';
import type { Admin } from './admin-access.js';
import { READINESS_SETTING, type StoredScan } from './stats.js';

/**
 * Jobs started from the console or the API, in the background, one at a time per process: an import of the legacy
 * system's listing, or a readiness check (the pre-flight scan, stored for the console; nothing else is written).
 * The CLIs do the same from a terminal.
 */

export type JobKind = 'import' | 'readiness';

export interface JobStatus {
  kind: JobKind;
  startedBy: string;
  startedAt: string;
  running: boolean;
  progress?: ImportProgress | ScanProgress;
  /** An import's outcome. */
  summary?: ImportSummary;
  /** A readiness check's outcome. */
  report?: ScanReport;
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
  tombstones: LegacyTombstones;
  /** Where legacy TOTP secrets go (migration/legacy-totp.ts). */
  legacyFactors?: LegacyFactorDependencies;
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
      running = (async () => {
        await deps.record({
          type: 'admin_action',
          adminId: admin.id,
          action: kind === 'readiness' ? 'readiness_check' : 'import_started',
        });
        try {
          if (kind === 'readiness') {
            job.report = await runScan(
              { legacy, accounts: deps.store.accounts, transform: deps.transform, tombstones: deps.tombstones },
              { onProgress: (progress) => (job.progress = progress) },
            );
            const stored: StoredScan = { checkedAt: new Date().toISOString(), by: admin.id, report: job.report };
            await deps.store.settings.set(READINESS_SETTING, stored);
            return;
          }
          job.summary = await runImport(
            {
              accounts: deps.store.accounts,
              transform: deps.transform,
              record: deps.record,
              legacySource: legacy.source,
              tombstones: deps.tombstones,
              legacyFactors: deps.legacyFactors,
            },
            connectorSource(legacy),
            { onProgress: (progress) => (job.progress = progress) },
          );
          await deps.record({
            type: 'admin_action',
            adminId: admin.id,
            action: 'import_finished',
            detail: { imported: job.summary.imported, skipped: job.summary.skipped, rejected: job.summary.rejected },
          });
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
