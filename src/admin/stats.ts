import type { AccountOrigin } from '../accounts/account.js';
import type { StoredEvent } from '../events/event.js';
import type { CutOffState, CutOffAwareLegacy } from '../legacy/cut-off-aware-legacy.js';
import type { LegacyHealth, LegacySystem } from '../legacy/legacy-system.js';
import type { Readiness, ScanReport } from '../scan/scan-report.js';
import type { FactorKind, Store } from '../store/store.js';

/**
 * What the console shows about the migration, computed from the accounts and the event log (shared by every IdP
 * process, unlike the in-memory Prometheus metrics). Events of the last 30 days, at most 50,000, are read.
 */

/** The last readiness check: the pre-flight scan's report, with who ran it and when. */
export interface StoredScan {
  checkedAt: string;
  by: string;
  report: ScanReport;
}

/** What the dashboard shows of the last readiness check; the whole report has its own page. */
export interface ReadinessSummary {
  checkedAt: string;
  by: string;
  legacyUsers: number;
  withAccount: number;
  withoutAccount: number;
  leftBehind: Readiness['leftBehind'];
  importWouldRescue: Readiness['importWouldRescue'];
}

export interface LatencyBucket {
  bucket: string;
  calls: number;
  p50: number;
  p95: number;
  p99: number;
  /** Share of calls that found the legacy system unavailable. */
  errorRate: number;
}

export interface MigrationStats {
  generatedAt: string;
  accounts: Record<AccountOrigin, number> & { total: number };
  /** Accounts with each second factor (recovery codes: with at least one unused). */
  factors: Record<FactorKind, number>;
  legacy: {
    source: string | undefined;
    health: LegacyHealth | undefined;
    cutOff: CutOffState;
    readiness: ReadinessSummary | undefined;
    /** Share of the legacy users that have an account here, from the last readiness check. */
    migratedShare: number | undefined;
  };
  /** Migrations and failed first sign-ins per hour (last 48 hours) and per day (last 30 days). */
  perHour: { bucket: string; migrated: number; failed: number }[];
  perDay: { bucket: string; migrated: number; failed: number }[];
  failuresByReason: { reason: string; count: number; fields: Record<string, number> }[];
  /** First sign-ins whose legacy username or email another account held, so the user chose anew (30 days). */
  conflicts: number;
  /** Legacy call latency and error rate per hour, last 24 hours. */
  latency: LatencyBucket[];
}

export const READINESS_SETTING = 'readiness';

/** The last readiness check's whole report (the pre-flight scan), kept in the store's settings; none before the first. */
export function latestReadiness(settings: Store['settings']): Promise<StoredScan | undefined> {
  return settings.get<StoredScan>(READINESS_SETTING);
}
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export async function migrationStats(
  store: Store,
  legacy: LegacySystem | undefined,
  cutOffAwareLegacy: CutOffAwareLegacy,
  now = new Date(),
): Promise<MigrationStats> {
  const [origins, factors, cutOff, readiness, events] = await Promise.all([
    store.accounts.countByOrigin(),
    store.factors.countAccountsByKind(),
    cutOffAwareLegacy.state(),
    latestReadiness(store.settings),
    store.events.list({
      types: ['migrated', 'migration_failed', 'migration_conflict'],
      since: new Date(now.getTime() - 30 * DAY),
      limit: 50_000,
    }),
  ]);
  const total = origins.migrated + origins.registered + origins.imported;
  return {
    generatedAt: now.toISOString(),
    accounts: { ...origins, total },
    factors,
    legacy: {
      source: legacy?.source,
      health: legacy?.health(),
      cutOff,
      readiness: readiness && summariseReadiness(readiness),
      migratedShare:
        readiness && readiness.report.users > 0
          ? readiness.report.readiness.withAccount / readiness.report.users
          : undefined,
    },
    perHour: countsPer(events, HOUR, 48, now),
    perDay: countsPer(events, DAY, 30, now),
    failuresByReason: failures(events),
    conflicts: events.filter((event) => event.type === 'migration_conflict').length,
    latency: latencyPer(events, HOUR, 24, now),
  };
}

export function summariseReadiness({ checkedAt, by, report }: StoredScan): ReadinessSummary {
  const { withAccount, withoutAccount, leftBehind, importWouldRescue } = report.readiness;
  return { checkedAt, by, legacyUsers: report.users, withAccount, withoutAccount, leftBehind, importWouldRescue };
}

/** Start of each bucket, oldest first, as ISO text; `count` buckets ending with the one holding `now`. */
function buckets(size: number, count: number, now: Date): number[] {
  const last = Math.floor(now.getTime() / size) * size;
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * size);
}

function countsPer(events: readonly StoredEvent[], size: number, count: number, now: Date) {
  const starts = buckets(size, count, now);
  const rows = new Map(
    starts.map((start) => [start, { bucket: new Date(start).toISOString(), migrated: 0, failed: 0 }]),
  );
  for (const event of events) {
    const row = rows.get(Math.floor(event.at.getTime() / size) * size);
    if (!row) continue;
    if (event.type === 'migrated') row.migrated++;
    else if (event.type === 'migration_failed') row.failed++;
  }
  return [...rows.values()];
}

function failures(events: readonly StoredEvent[]) {
  const byReason = new Map<string, { reason: string; count: number; fields: Record<string, number> }>();
  for (const event of events) {
    if (event.type !== 'migration_failed') continue;
    const row = byReason.get(event.reason) ?? { reason: event.reason, count: 0, fields: {} };
    row.count++;
    for (const field of event.fields ?? []) row.fields[field] = (row.fields[field] ?? 0) + 1;
    byReason.set(event.reason, row);
  }
  return [...byReason.values()].sort((a, b) => b.count - a.count);
}

function latencyPer(events: readonly StoredEvent[], size: number, count: number, now: Date): LatencyBucket[] {
  const samples = new Map(buckets(size, count, now).map((start) => [start, { ms: [] as number[], errors: 0 }]));
  for (const event of events) {
    if (event.type !== 'migrated' && event.type !== 'migration_failed') continue;
    if (event.legacyLatencyMs === undefined || (event.type === 'migrated' && event.via)) continue;
    const sample = samples.get(Math.floor(event.at.getTime() / size) * size);
    if (!sample) continue;
    sample.ms.push(event.legacyLatencyMs);
    if (event.type === 'migration_failed' && event.reason === 'unavailable') sample.errors++;
  }
  return [...samples.entries()].map(([start, { ms, errors }]) => {
    const sorted = ms.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      bucket: new Date(start).toISOString(),
      calls: sorted.length,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      errorRate: sorted.length ? errors / sorted.length : 0,
    };
  });
}
