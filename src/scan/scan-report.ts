import type { ClashGroup, ClashKind } from './login-index.js';

/**
 * What a pre-flight scan of the legacy store found, without any password: how the stored hashes are made, which
 * cannot be judged and why, who is disabled, whose logins clash, whose profiles the mapping refuses, and, against
 * the accounts already here, who an import would bring over and who a cut-off would leave behind. Counts are exact;
 * lists of users are samples, capped per category (the CLI can write every left-behind user to a file).
 */

/** A legacy user as reports name them: never a hash, a password or any other profile field. */
export interface UserRef {
  legacyId?: string;
  username?: string;
}

export type LeftBehindReason = 'never-signed-in' | 'unsupported-hash' | 'disabled' | 'validation' | 'conflict';
export const LEFT_BEHIND_REASONS: readonly LeftBehindReason[] = [
  'never-signed-in',
  'unsupported-hash',
  'disabled',
  'validation',
  'conflict',
];

export interface Readiness {
  /** Legacy users with an account here (migrated at a sign-in, imported, or reset into one). */
  withAccount: number;
  withoutAccount: number;
  /**
   * Legacy users whose account here was erased at their request (a tombstone): neither with an account nor left
   * behind, since nothing is to bring them over. `withAccount + withoutAccount + erased` is every user read.
   */
  erased: number;
  /**
   * Why each user without an account has none, and so would be left behind by a cut-off now: never signed in (an
   * import brings them over), an unsupported hash (an import gives them an account they must reset; with a stored
   * hash judged by the IdP they cannot sign in before that), disabled, a profile the mapping refuses, a login
   * another account or an earlier legacy user holds (an import refuses both).
   */
  leftBehind: Record<LeftBehindReason, number>;
  /** Who an import run now would bring over: keeping the legacy password, or with none (reset by email). */
  importWouldRescue: { total: number; keepingPassword: number; mustResetPassword: number };
  samples: Record<LeftBehindReason, (UserRef & { detail?: string })[]>;
}

export interface ScanReport {
  source: string;
  /** Who judges passwords at a first sign-in (see LegacyConnector.passwordJudge). */
  passwordJudge: 'stored-hash' | 'legacy-system';
  startedAt: string;
  durationMs: number;
  /** Legacy users read. */
  users: number;
  /** Users by the scheme of their stored hash; users without one are under `(none stored)`. */
  hashSchemes: Record<string, number>;
  /** Stored hashes that cannot be judged, by reason (fixed text, never the hash). */
  unjudgeable: { total: number; byReason: Record<string, number>; samples: (UserRef & { reason: string })[] };
  disabled: { total: number; samples: UserRef[] };
  /** Profiles the mapping and validation refuse, by the field that fails. */
  validation: { total: number; byField: Record<string, number>; samples: (UserRef & { fields: string[] })[] };
  clashes: {
    /** Legacy users sharing a folded login with another legacy user, by kind. */
    byKind: Record<ClashKind, number>;
    /** Legacy users (without an account) whose username or email an account here holds. */
    withLocalAccounts: number;
    groups: ClashGroup[];
    localSamples: UserRef[];
  };
  readiness: Readiness;
}

/** A few lines for a terminal or a log: every count, no user. */
export function summariseReport(report: ScanReport): string {
  const lines: string[] = [];
  const percent = (part: number) => (report.users === 0 ? '0%' : `${((100 * part) / report.users).toFixed(1)}%`);
  const count = (n: number) => n.toLocaleString('en');
  lines.push(
    `Legacy source "${report.source}": ${count(report.users)} users scanned in ${seconds(report.durationMs)}.`,
  );
  lines.push(
    report.passwordJudge === 'stored-hash'
      ? 'Passwords are judged here, against the stored hashes:'
      : 'Passwords are judged by the legacy system at a first sign-in; stored hashes matter for an import:',
  );
  for (const [scheme, n] of sortedEntries(report.hashSchemes)) lines.push(`  ${pad(count(n))}  ${scheme}`);
  lines.push(`Hashes that cannot be judged: ${count(report.unjudgeable.total)}`);
  for (const [reason, n] of sortedEntries(report.unjudgeable.byReason)) lines.push(`  ${pad(count(n))}  ${reason}`);
  lines.push(`Disabled in the legacy system: ${count(report.disabled.total)}`);
  lines.push(`Profiles the mapping refuses: ${count(report.validation.total)}`);
  for (const [field, n] of sortedEntries(report.validation.byField)) lines.push(`  ${pad(count(n))}  ${field}`);
  const { byKind, withLocalAccounts } = report.clashes;
  lines.push(
    `Logins shared by several legacy users: ${count(byKind.exact)} identical, ${count(byKind.case)} by case, ` +
      `${count(byKind.compatibility)} by compatibility form; ${count(byKind['shared-email'])} share an email. ` +
      `${count(withLocalAccounts)} clash with accounts here.`,
  );
  const { readiness } = report;
  lines.push(
    `Readiness: ${count(readiness.withAccount)} (${percent(readiness.withAccount)}) have an account here, ` +
      `${count(readiness.withoutAccount)} would be left behind by a cut-off now` +
      (readiness.erased > 0 ? ` (and ${count(readiness.erased)} erased their account here):` : ':'),
  );
  for (const reason of LEFT_BEHIND_REASONS) lines.push(`  ${pad(count(readiness.leftBehind[reason]))}  ${reason}`);
  const rescue = readiness.importWouldRescue;
  lines.push(
    `An import would bring over ${count(rescue.total)}: ${count(rescue.keepingPassword)} keeping their password, ` +
      `${count(rescue.mustResetPassword)} who must reset it by email.`,
  );
  return lines.join('\n');
}

function sortedEntries(record: Record<string, number>): [string, number][] {
  return Object.entries(record).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}

function pad(text: string): string {
  return text.padStart(10);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
