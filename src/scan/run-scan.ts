import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { normaliseLogin } from '../accounts/account.js';
import type { LegacyUserRecord } from '../legacy/connector.js';
import { inspectLegacyHash } from '../passwords/legacy/legacy-hash.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { ProfileTransformer, TransformOutcome } from '../migration/transform.js';
import type { LegacyTombstones } from '../erasure/legacy-tombstones.js';
import type { AccountStore } from '../store/store.js';
import { LoginIndex, type IndexedLogin } from './login-index.js';
import { LEFT_BEHIND_REASONS, type LeftBehindReason, type ScanReport, type UserRef } from './scan-report.js';

/**
 * The pre-flight scan: reads the whole legacy store page by page, read-only and without any password, and predicts
 * what first sign-ins, an import and a cut-off would do to every legacy user. Each user is judged as an import would
 * judge them (the same transformation, the same order of refusals, the same unique logins), so the readiness counts
 * are what an import run now would find. Memory stays bounded: logins go to a scratch SQLite file, users' names only
 * into capped samples.
 */

export interface ScanDependencies {
  legacy: Pick<LegacySystem, 'source' | 'passwordJudge' | 'enumerateUsers' | 'countUsers'>;
  accounts: Pick<AccountStore, 'existingLegacyIds' | 'takenLogins'>;
  transform: ProfileTransformer;
  tombstones: Pick<LegacyTombstones, 'buried'>;
}

export interface ScanProgress {
  users: number;
  /** From the source, when it can tell. */
  total: number | undefined;
  elapsedMs: number;
}

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /** Users named per category of the report. */
  sampleLimit?: number;
  /** Writes every user a cut-off would leave behind, as JSON Lines (legacy id, username, reason). */
  leftBehindPath?: string;
}

/** A legacy user as the scan judged them; only what the report needs. */
interface Judged {
  ref: UserRef;
  transformed: TransformOutcome;
  disabled: boolean;
  /** The stored hash: its scheme, or why it cannot be judged; undefined when none is stored. */
  hash: { label: string } | { problem: string } | undefined;
}

export async function runScan(deps: ScanDependencies, options: ScanOptions = {}): Promise<ScanReport> {
  const enumerate = deps.legacy.enumerateUsers;
  if (!enumerate) throw new Error('the legacy connector cannot list its users (for SQL, configure listQuery)');
  const started = performance.now();
  const signal = options.signal ?? new AbortController().signal;
  const sampleLimit = options.sampleLimit ?? 100;
  const report = emptyReport(deps.legacy.source, deps.legacy.passwordJudge);
  const total = await deps.legacy.countUsers?.(signal);
  const index = new LoginIndex();
  const leftBehindFile = options.leftBehindPath ? createWriteStream(options.leftBehindPath) : undefined;
  const sample = <T>(list: T[], item: T) => {
    if (list.length < sampleLimit) list.push(item);
  };

  try {
    let seq = 0;
    for await (const page of enumerate.call(deps.legacy, undefined, signal)) {
      signal.throwIfAborted();
      const judged = await Promise.all(page.records.map((record) => judge(record, deps.transform)));
      const valid = judged.flatMap((user) => (user.transformed.kind === 'valid' ? [user.transformed] : []));
      const legacyIds = judged.flatMap((user) => (user.ref.legacyId === undefined ? [] : [user.ref.legacyId]));
      const [withAccount, erased, taken] = await Promise.all([
        deps.accounts.existingLegacyIds(deps.legacy.source, legacyIds),
        deps.tombstones.buried(deps.legacy.source, legacyIds),
        deps.accounts.takenLogins(valid.flatMap((profile) => loginsOf(profile.profile))),
      ]);

      const indexed: IndexedLogin[] = [];
      // Each user without an account, in order: left behind for a reason, or a candidate an import would try to
      // store, whose claim on its logins is decided for the whole page at once below.
      const fates: (
        { user: Judged; reason: LeftBehindReason; detail?: string } | { user: Judged; logins: string[] }
      )[] = [];
      for (const user of judged) {
        report.users++;
        countHash(report, user, sample);
        const { transformed } = user;
        if (user.disabled) {
          report.disabled.total++;
          sample(report.disabled.samples, user.ref);
        }
        if (transformed.kind === 'invalid') {
          report.validation.total++;
          for (const field of transformed.fields) {
            report.validation.byField[field] = (report.validation.byField[field] ?? 0) + 1;
          }
          sample(report.validation.samples, { ...user.ref, fields: transformed.fields });
        } else {
          const { profile, legacyId, identity } = transformed;
          // The legacy system's own spellings, so the report can tell a case clash from a full-width one.
          for (const [field, login] of [
            ['username', identity.username ?? profile.username],
            ['email', profile.email === undefined ? undefined : (identity.email ?? profile.email)],
          ] as const) {
            if (login !== undefined) {
              indexed.push({ seq, field, login, legacyId, username: identity.username ?? profile.username });
            }
          }
          seq++;
        }
        // Whatever the legacy record looks like now, a user with an account here is not left behind.
        if (user.ref.legacyId !== undefined && withAccount.has(user.ref.legacyId)) {
          report.readiness.withAccount++;
          continue;
        }
        // Erased at their request: no import brings them back, so a cut-off leaves no one behind.
        if (user.ref.legacyId !== undefined && erased.has(user.ref.legacyId)) {
          report.readiness.erased++;
          continue;
        }
        // In the order an import refuses: disabled, then the profile, then logins held here, then by an earlier user.
        if (user.disabled) {
          fates.push({ user, reason: 'disabled' });
          continue;
        }
        if (transformed.kind === 'invalid') {
          fates.push({ user, reason: 'validation', detail: transformed.fields.join(', ') });
          continue;
        }
        const logins = loginsOf(transformed.profile);
        if (logins.some((login) => taken.has(login))) {
          report.clashes.withLocalAccounts++;
          sample(report.clashes.localSamples, user.ref);
          fates.push({ user, reason: 'conflict', detail: 'a login an account here holds' });
          continue;
        }
        fates.push({ user, logins });
      }
      index.addAll(indexed);
      const claims = index.claimAll(fates.flatMap((fate) => ('logins' in fate ? [fate.logins] : [])));
      for (const fate of fates) {
        const { user } = fate;
        if (!('logins' in fate)) {
          leaveBehind(user, fate.reason, fate.detail);
          continue;
        }
        if (!claims.shift()) {
          leaveBehind(user, 'conflict', 'a login an earlier legacy user holds');
          continue;
        }
        const keepsPassword = user.hash !== undefined && 'label' in user.hash;
        const rescue = report.readiness.importWouldRescue;
        rescue.total++;
        if (keepsPassword) rescue.keepingPassword++;
        else rescue.mustResetPassword++;
        if (user.hash !== undefined && 'problem' in user.hash) leaveBehind(user, 'unsupported-hash', user.hash.problem);
        else leaveBehind(user, 'never-signed-in');
      }
      options.onProgress?.({ users: report.users, total, elapsedMs: performance.now() - started });
    }
    const clashes = index.clashes(sampleLimit);
    report.clashes.byKind = clashes.counts;
    report.clashes.groups = clashes.samples;
    const { readiness } = report;
    readiness.withoutAccount = LEFT_BEHIND_REASONS.reduce((sum, reason) => sum + readiness.leftBehind[reason], 0);
    report.durationMs = Math.round(performance.now() - started);
    return report;
  } finally {
    index.close();
    if (leftBehindFile) {
      leftBehindFile.end();
      await once(leftBehindFile, 'close');
    }
  }

  function leaveBehind(user: Judged, reason: LeftBehindReason, detail?: string) {
    report.readiness.leftBehind[reason]++;
    const entry = { ...user.ref, ...(detail ? { detail } : {}) };
    sample(report.readiness.samples[reason], entry);
    writeLine(leftBehindFile, { ...entry, reason });
  }
}

async function judge(record: LegacyUserRecord, transform: ProfileTransformer): Promise<Judged> {
  const transformed = await transform(record.profile);
  const { identity } = transformed;
  const legacyId = transformed.kind === 'valid' ? transformed.legacyId : identity.legacyId;
  const ref: UserRef = {
    ...(legacyId === undefined ? {} : { legacyId }),
    ...(identity.username === undefined ? {} : { username: identity.username }),
  };
  return { ref, transformed, disabled: record.disabled === true, hash: hashOf(record) };
}

function hashOf(record: LegacyUserRecord): Judged['hash'] {
  if (record.passwordProblem !== undefined) return { problem: record.passwordProblem };
  if (!record.password) return undefined;
  const inspected = inspectLegacyHash(record.password.hash, record.password.options, record.password.salt);
  return inspected.kind === 'judgeable' ? { label: inspected.label } : { problem: inspected.reason };
}

function countHash(report: ScanReport, user: Judged, sample: <T>(list: T[], item: T) => void) {
  const { hash } = user;
  const label = hash === undefined ? NONE_STORED : 'label' in hash ? hash.label : UNJUDGEABLE;
  report.hashSchemes[label] = (report.hashSchemes[label] ?? 0) + 1;
  if (hash && 'problem' in hash) {
    report.unjudgeable.total++;
    report.unjudgeable.byReason[hash.problem] = (report.unjudgeable.byReason[hash.problem] ?? 0) + 1;
    sample(report.unjudgeable.samples, { ...user.ref, reason: hash.problem });
  }
}

const NONE_STORED = '(none stored)';
const UNJUDGEABLE = '(cannot be judged)';

function loginsOf(profile: { username: string; email?: string | undefined }): string[] {
  return [profile.username, ...(profile.email === undefined ? [] : [profile.email])].map(normaliseLogin);
}

function writeLine(file: WriteStream | undefined, value: unknown) {
  file?.write(`${JSON.stringify(value)}\n`);
}

function emptyReport(source: string, passwordJudge: ScanReport['passwordJudge']): ScanReport {
  const perReason = <T>(make: () => T) =>
    Object.fromEntries(LEFT_BEHIND_REASONS.map((reason) => [reason, make()])) as Record<LeftBehindReason, T>;
  return {
    source,
    passwordJudge,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    users: 0,
    hashSchemes: {},
    unjudgeable: { total: 0, byReason: {}, samples: [] },
    disabled: { total: 0, samples: [] },
    validation: { total: 0, byField: {}, samples: [] },
    clashes: {
      byKind: { exact: 0, case: 0, compatibility: 0, 'shared-email': 0 },
      withLocalAccounts: 0,
      groups: [],
      localSamples: [],
    },
    readiness: {
      withAccount: 0,
      withoutAccount: 0,
      erased: 0,
      leftBehind: perReason(() => 0),
      importWouldRescue: { total: 0, keepingPassword: 0, mustResetPassword: 0 },
      samples: perReason(() => []),
    },
  };
}
