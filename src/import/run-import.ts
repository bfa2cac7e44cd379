import { appendFile, mkdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { normaliseLogin, type Account, type StoredPassword } from '../accounts/account.js';
import type { LegacyTombstones } from '../erasure/legacy-tombstones.js';
import type { RecordEvent } from '../events/recorder.js';
import type { LegacyUserRecord } from '../legacy/connector.js';
import { inspectLegacyHash } from '../passwords/legacy/legacy-hash.js';
import { accountFromLegacy } from '../migration/adopt.js';
import { legacyTotpFactor, type LegacyFactorDependencies, type LegacyTotp } from '../migration/legacy-totp.js';
import type { ProfileTransformer } from '../migration/transform.js';
import type { AccountStore } from '../store/store.js';
import type { ImportItem, ImportSource } from './import-source.js';

/**
 * Bulk import of the stragglers: every legacy user read from a source goes through the same transformation and
 * validation as a first sign-in, and becomes an account (origin "imported", built by migration/adopt.ts like every
 * account made from a legacy profile) keeping its legacy hash when it has a usable one, or none (password reset
 * required). Idempotent: a legacy id already here is skipped. Resumable: after each stored page a checkpoint records
 * where to start again.
 *
 * Unlike a first sign-in it runs no write-back: nobody proved anything about these users (no password, no mailbox),
 * the source may be a file export rather than the live system, and a bulk run must not turn into thousands of writes
 * to a production legacy database. So the legacy side is not marked for imported users; the store's accounts (origin
 * "imported", with their legacy ids) say who moved.
 *
 * A legacy TOTP secret (`mapping.totpSecret`) comes along as on a first sign-in (migration/adopt.ts): the factor is
 * stored before its account, so no imported account is ever without it, and taken back when the account is not.
 */

export interface ImportCounts {
  read: number;
  imported: number;
  /** Of the imported: without a usable legacy hash, so their users must reset their password. */
  withoutPassword: number;
  /** Already here (same legacy id): nothing to do. */
  skipped: number;
  /** Erased here at the user's request (a tombstone): not brought back. */
  erased: number;
  rejected: number;
  /** Of the imported: with the authenticator app they had in the legacy system (a TOTP secret). */
  withTotp: number;
  /** Of the imported: without it, because the legacy value was not a usable secret (the operator's to look at). */
  invalidTotp: number;
}

export interface ImportSummary extends ImportCounts {
  dryRun: boolean;
  total: number | undefined;
  /** The resume point this run started from, when it continued an interrupted one. */
  resumedFrom: string | undefined;
  durationMs: number;
}

export interface ImportProgress extends ImportCounts {
  total: number | undefined;
  elapsedMs: number;
}

export interface ImportOptions {
  dryRun?: boolean;
  /** Where to keep the resume point; without one, a run always starts from the beginning. */
  checkpointPath?: string;
  /** Ignore an existing checkpoint and start over. */
  fresh?: boolean;
  /** JSON Lines of rejected records and their reasons (never a hash or other secret). */
  reportPath?: string;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface ImportDependencies {
  accounts: AccountStore;
  transform: ProfileTransformer;
  record: RecordEvent;
  /** The legacy source imported accounts are tied to (the connector's `source`): ids are unique per source. */
  legacySource: string;
  /** Where legacy TOTP secrets go: needed as soon as the mapping reads them. */
  legacyFactors?: LegacyFactorDependencies | undefined;
  tombstones: Pick<LegacyTombstones, 'buried'>;
  now?: () => Date;
}

interface Checkpoint {
  signature: string;
  resumeFrom: string;
  counts: ImportCounts;
  /** The report's length when the checkpoint was taken: lines after it belong to pages that will be read again. */
  reportBytes: number;
}

interface Rejection {
  ref: string;
  legacyId?: string;
  reason: string;
  fields?: string[];
}

export async function runImport(
  deps: ImportDependencies,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const now = deps.now ?? (() => new Date());
  const unlock = options.checkpointPath ? await lock(`${options.checkpointPath}.lock`) : undefined;
  try {
    return await importPages(deps, source, options, started, now);
  } finally {
    await unlock?.();
  }
}

async function importPages(
  deps: ImportDependencies,
  source: ImportSource,
  options: ImportOptions,
  started: number,
  now: () => Date,
): Promise<ImportSummary> {
  const dryRun = options.dryRun ?? false;
  const signal = options.signal ?? new AbortController().signal;
  const checkpoint =
    options.fresh || !options.checkpointPath
      ? undefined
      : await readCheckpoint(options.checkpointPath, source.signature);
  // A checkpoint written before a count existed starts that count at 0.
  const counts: ImportCounts = {
    read: 0,
    imported: 0,
    withoutPassword: 0,
    skipped: 0,
    erased: 0,
    rejected: 0,
    withTotp: 0,
    invalidTotp: 0,
    ...checkpoint?.counts,
  };
  const total = await source.total();
  let reportBytes = checkpoint?.reportBytes ?? 0;
  if (options.reportPath) {
    await mkdir(dirname(options.reportPath), { recursive: true });
    if (checkpoint) await truncate(options.reportPath, reportBytes);
    else await writeFile(options.reportPath, '');
  }
  // In a dry run nothing is stored, so clashes inside the source itself must be remembered here.
  const seen = dryRun ? { legacyIds: new Set<string>(), logins: new Set<string>() } : undefined;

  for await (const page of source.pages(checkpoint?.resumeFrom, signal)) {
    signal.throwIfAborted();
    const rejections: Rejection[] = [];
    const prepared: { ref: string; account: Account; totp?: LegacyTotp }[] = [];
    for (const item of page.items) {
      counts.read++;
      const outcome = await prepare(item, deps, now());
      if ('reason' in outcome) rejections.push(outcome);
      else prepared.push({ ref: item.ref, ...outcome });
    }
    const erased = await deps.tombstones.buried(
      deps.legacySource,
      prepared.map(({ account }) => account.legacy?.id ?? ''),
    );
    const candidates = prepared.filter(({ account }) => !erased.has(account.legacy?.id ?? ''));
    counts.erased += prepared.length - candidates.length;
    if (!dryRun) await storeFactorsFirst(deps, candidates);

    const results = dryRun
      ? await dryRunInsertAll(
          deps.accounts,
          candidates.map(({ account }) => account),
          seen,
        )
      : await deps.accounts.insertMany(candidates.map(({ account }) => account));
    for (const [index, result] of results.entries()) {
      const candidate = candidates[index];
      if (!candidate) continue;
      if (result.kind === 'inserted') {
        counts.imported++;
        if (candidate.account.password.kind === 'none') counts.withoutPassword++;
        if (candidate.totp?.kind === 'valid') counts.withTotp++;
        if (candidate.totp?.kind === 'invalid') counts.invalidTotp++;
        continue;
      }
      if (candidate.totp?.kind === 'valid' && !dryRun) await deps.legacyFactors?.factors.remove(candidate.account.id);
      if (result.field === 'legacyId' || (await alreadyHere(deps.accounts, candidate.account))) {
        // The store may name another unique index first; if this legacy user is here, it is a repeat, not a clash.
        counts.skipped++;
      } else {
        rejections.push({
          ref: candidate.ref,
          legacyId: candidate.account.legacy?.id,
          reason: `${result.field} belongs to another account`,
          fields: [result.field],
        });
      }
    }
    counts.rejected += rejections.length;

    if (options.reportPath && rejections.length > 0) {
      const lines = rejections.map((r) => `${JSON.stringify(r)}\n`).join('');
      await appendFile(options.reportPath, lines);
      reportBytes += Buffer.byteLength(lines);
    }
    if (options.checkpointPath && !dryRun) {
      await writeCheckpoint(options.checkpointPath, {
        signature: source.signature,
        resumeFrom: page.resumeFrom,
        counts,
        reportBytes,
      });
    }
    options.onProgress?.({ ...counts, total, elapsedMs: performance.now() - started });
  }

  if (options.checkpointPath && !dryRun) await rm(options.checkpointPath, { force: true });
  if (!dryRun && counts.imported > 0) await deps.accounts.settleAfterBulkInsert?.();
  const summary: ImportSummary = {
    ...counts,
    dryRun,
    total,
    resumedFrom: checkpoint?.resumeFrom,
    durationMs: Math.round(performance.now() - started),
  };
  if (!dryRun) {
    await deps.record({
      type: 'imported',
      source: source.signature,
      imported: counts.imported,
      withoutPassword: counts.withoutPassword,
      skipped: counts.skipped,
      rejected: counts.rejected,
      ...(counts.withTotp > 0 ? { withTotp: counts.withTotp } : {}),
      ...(counts.erased > 0 ? { erased: counts.erased } : {}),
      ...(counts.invalidTotp > 0 ? { invalidTotp: counts.invalidTotp } : {}),
    });
  }
  return summary;
}

/** Each legacy TOTP secret as its account's factor, before the accounts are stored (see the top of this file). */
async function storeFactorsFirst(
  deps: ImportDependencies,
  candidates: readonly { account: Account; totp?: LegacyTotp }[],
): Promise<void> {
  const carrying = candidates.filter(({ totp }) => totp?.kind === 'valid');
  if (carrying.length === 0) return;
  // A run resumed or repeated meets users already here: their accounts will not be stored, so no factor is either.
  const here = await deps.accounts.existingLegacyIds(
    deps.legacySource,
    carrying.map(({ account }) => account.legacy?.id ?? ''),
  );
  for (const { account, totp } of carrying) {
    if (totp?.kind !== 'valid' || here.has(account.legacy?.id ?? '')) continue;
    // A wiring mistake, not an outcome: importing on would leave users who had two-step verification without it.
    if (!deps.legacyFactors) throw new Error('import: a legacy TOTP secret to carry, but no factor store to keep it');
    const factor = legacyTotpFactor(deps.legacyFactors.secretBox, account.id, totp.secret, account.createdAt);
    await deps.legacyFactors.factors.add([factor], 'totp');
  }
}

/** One item as an account ready to insert, or why it cannot be one. */
async function prepare(
  item: ImportItem,
  deps: ImportDependencies,
  at: Date,
): Promise<{ account: Account; totp?: LegacyTotp } | Rejection> {
  if ('problem' in item) return { ref: item.ref, reason: item.problem };
  // A disabled legacy account must not become an account that can sign in or reset its password.
  if (item.record.disabled === true) return { ref: item.ref, reason: 'disabled in the legacy system' };
  const transformed = await deps.transform(item.record.profile);
  if (transformed.kind === 'invalid') {
    return { ref: item.ref, reason: 'the profile failed validation', fields: transformed.fields };
  }
  const legacy = { source: deps.legacySource, id: transformed.legacyId };
  const account = accountFromLegacy(transformed.profile, legacy, keptPassword(item.record), 'imported', at);
  return { account, ...(transformed.totp ? { totp: transformed.totp } : {}) };
}

/** The legacy hash, if it is one the IdP can verify at the user's next sign-in; otherwise none (reset required). */
function keptPassword(record: LegacyUserRecord): StoredPassword {
  const password = record.password;
  if (!password) return { kind: 'none' };
  if (inspectLegacyHash(password.hash, password.options, password.salt).kind === 'unsupported') return { kind: 'none' };
  return { kind: 'legacy', hash: password.hash.trim(), options: password.options, salt: password.salt };
}

async function alreadyHere(accounts: AccountStore, account: Account): Promise<boolean> {
  return (
    account.legacy !== undefined &&
    (await accounts.findByLegacyId(account.legacy.source, account.legacy.id)) !== undefined
  );
}

/** One at a time, in order, so that clashes inside the page are found as the real insert would find them. */
async function dryRunInsertAll(
  accounts: AccountStore,
  candidates: readonly Account[],
  seen: { legacyIds: Set<string>; logins: Set<string> } | undefined,
) {
  const results = [];
  for (const account of candidates) results.push(await dryRunInsert(accounts, account, seen));
  return results;
}

/** What `insertMany` would answer, found by reading instead of writing. */
async function dryRunInsert(
  accounts: AccountStore,
  account: Account,
  seen: { legacyIds: Set<string>; logins: Set<string> } | undefined,
) {
  const legacyKey = `${account.legacy?.source ?? ''}\u0000${account.legacy?.id ?? ''}`;
  if (
    seen?.legacyIds.has(legacyKey) ||
    (account.legacy && (await accounts.findByLegacyId(account.legacy.source, account.legacy.id)))
  ) {
    return { kind: 'conflict' as const, field: 'legacyId' as const };
  }
  for (const [field, login] of [
    ['username', account.username],
    ['email', account.email],
  ] as const) {
    if (login === undefined) continue;
    const key = normaliseLogin(login);
    if (seen?.logins.has(key) || (await accounts.findByLogin(key))) return { kind: 'conflict' as const, field };
  }
  seen?.legacyIds.add(legacyKey);
  seen?.logins.add(normaliseLogin(account.username));
  if (account.email) seen?.logins.add(normaliseLogin(account.email));
  return { kind: 'inserted' as const, account };
}

async function readCheckpoint(path: string, signature: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const checkpoint = JSON.parse(text) as Checkpoint;
  if (checkpoint.signature !== signature) {
    throw new Error(
      `the checkpoint ${path} belongs to another import (${checkpoint.signature}); remove it or use --fresh`,
    );
  }
  return checkpoint;
}

/**
 * One import per checkpoint at a time (two would interleave their checkpoints): a lock file holding the process id.
 * A lock left by a process that no longer runs (a crash) is taken over.
 */
async function lock(path: string): Promise<() => Promise<void>> {
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(path, 'utf8').catch(() => ''));
      if (holder && holder !== process.pid && isRunning(holder)) {
        throw new Error(`another import is running (process ${String(holder)}, lock file ${path})`, { cause: error });
      }
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not take the import lock ${path}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a checkpoint. */
async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(checkpoint));
  await rename(`${path}.tmp`, path);
}
