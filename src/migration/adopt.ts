import { randomUUID } from 'node:crypto';
import {
  normaliseLogin,
  type Account,
  type AccountOrigin,
  type AccountProfile,
  type StoredPassword,
} from '../accounts/account.js';
import type { LegacyTombstones } from '../erasure/legacy-tombstones.js';
import type { RecordEvent } from '../events/recorder.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { AccountStore } from '../store/store.js';
import { legacyTotpFactor, type LegacyFactorDependencies, type LegacyTotp } from './legacy-totp.js';

/**
 * The one path by which a legacy user becomes an account here. The caller has transformed and validated the legacy
 * profile (transform.ts) and knows the user is entitled to it: the legacy system confirmed the password (first
 * sign-in, choosing new logins) or the mailbox confirmed a reset link. Adopting stores the account atomically,
 * records `migrated`, and tells the legacy system (write-back). Bulk import builds its accounts with
 * `accountFromLegacy` too, but stores them a page at a time and records one `imported` event for the run.
 *
 * A legacy user whose account here was erased (legacy-tombstones.ts) is not adopted again, whichever path asks.
 *
 * A legacy TOTP secret becomes the account's authenticator app in the same adoption. The factor is stored first,
 * under the new account's id, and the account after it: the account never exists without its factor, not even for a
 * moment, so no sign-in can slip through with the password alone. What can be left is the reverse, a factor whose
 * account was never stored (the store failed in between): harmless, as account ids are random and never reused, and
 * removed at once when the store refused the account.
 */

export interface LegacyRef {
  source: string;
  id: string;
}

export interface Adoption {
  legacy: LegacyRef;
  profile: AccountProfile;
  /** The IdP's own hash of the confirmed password; never the password itself. */
  passwordHash: string;
  /** The login as typed and normalised, for the `migrated` event (the password or the reset link confirmed it). */
  login: string;
  /** How long the legacy system took to judge the password; absent when it did not judge one (a reset). */
  legacyLatencyMs?: number;
  /** How the user proved they are this legacy user, when not by the legacy password at sign-in. */
  via?: 'password_reset';
  /** Logins the user chose because the legacy ones were held by other accounts. */
  chosen?: ('username' | 'email')[];
  /** The legacy user's TOTP secret, as the mapping found it (in memory only: kept between pages sealed). */
  totp?: LegacyTotp;
}

export type AdoptOutcome =
  | { kind: 'adopted'; account: Account }
  /** This legacy user is here already (a parallel first sign-in won): that account decides. */
  | { kind: 'already-here'; account: Account }
  /** The username and/or email belong to other accounts: nothing was stored. */
  | { kind: 'taken'; fields: ('username' | 'email')[] }
  /** This legacy user's account was erased (a tombstone): nothing was stored, until an operator lifts it. */
  | { kind: 'erased' };

export interface AdoptDependencies {
  accounts: AccountStore;
  record: RecordEvent;
  now: () => Date;
  tombstones: LegacyTombstones;
  /** Needed as soon as the mapping reads TOTP secrets (`mapping.totpSecret`): adopting without it then throws. */
  legacyFactors?: LegacyFactorDependencies | undefined;
}

/** The account a transformed legacy profile becomes; the only place one is built. */
export function accountFromLegacy(
  profile: AccountProfile,
  legacy: LegacyRef,
  password: StoredPassword,
  origin: Extract<AccountOrigin, 'migrated' | 'imported'>,
  at: Date,
): Account {
  return {
    ...profile,
    id: randomUUID(),
    origin,
    legacy: { source: legacy.source, id: legacy.id, migratedAt: at },
    password,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * `writeBackTo`: the legacy system to tell, if it is still connected (after a cut-off nothing calls it, not even to
 * say a user has moved).
 */
export async function adopt(
  deps: AdoptDependencies,
  adoption: Adoption,
  writeBackTo: LegacySystem | undefined,
): Promise<AdoptOutcome> {
  // Before anything is stored: an erased user who still knows the legacy password is not brought back by it.
  if (await deps.tombstones.isBuried(adoption.legacy)) return { kind: 'erased' };
  const account = accountFromLegacy(
    adoption.profile,
    adoption.legacy,
    { kind: 'bcrypt', hash: adoption.passwordHash },
    'migrated',
    deps.now(),
  );
  const secret = adoption.totp?.kind === 'valid' ? adoption.totp.secret : undefined;
  if (secret !== undefined) {
    // A wiring mistake, not an outcome: carrying on would migrate a user who had two-step verification without it.
    if (!deps.legacyFactors) throw new Error('adopt: a legacy TOTP secret to carry, but no factor store to keep it');
    const factor = legacyTotpFactor(deps.legacyFactors.secretBox, account.id, secret, account.createdAt);
    await deps.legacyFactors.factors.add([factor], 'totp');
  }
  const dropFactor = async () => {
    if (secret !== undefined) await deps.legacyFactors?.factors.remove(account.id);
  };
  let inserted;
  try {
    inserted = await deps.accounts.insert(account);
  } catch (error) {
    // The store failing now may fail this too: then the factor stays behind, unreachable (see above).
    await dropFactor().catch(() => undefined);
    throw error;
  }
  if (inserted.kind === 'conflict') {
    await dropFactor();
    return explainConflict(deps.accounts, adoption.legacy, adoption.profile, inserted.field);
  }
  const totp = adoption.totp
    ? ({ valid: 'carried', invalid: 'invalid_secret' } as const)[adoption.totp.kind]
    : undefined;
  await deps.record({
    type: 'migrated',
    accountId: account.id,
    login: adoption.login,
    legacy: { source: adoption.legacy.source, id: adoption.legacy.id },
    ...(adoption.legacyLatencyMs === undefined ? {} : { legacyLatencyMs: adoption.legacyLatencyMs }),
    ...(adoption.via ? { via: adoption.via } : {}),
    ...(adoption.chosen?.length ? { chosen: adoption.chosen } : {}),
    ...(totp ? { totp } : {}),
  });
  if (totp === 'carried') await deps.record({ type: 'factor_enrolled', accountId: account.id, factor: 'totp' });
  // Not awaited: telling the legacy system is bookkeeping and must not slow or fail the sign-in.
  if (writeBackTo) void writeBack(deps.record, writeBackTo, account.id, adoption.legacy.id);
  return { kind: 'adopted', account };
}

/**
 * Why the store refused a legacy user's account. The store names the first unique index it hit; the legacy id
 * decides whether this is a repeat (the user is here already) or a clash with other accounts' logins.
 */
async function explainConflict(
  accounts: AccountStore,
  legacy: LegacyRef,
  profile: AccountProfile,
  refused: string,
): Promise<Exclude<AdoptOutcome, { kind: 'adopted' }>> {
  const twin = await accounts.findByLegacyId(legacy.source, legacy.id);
  if (twin) return { kind: 'already-here', account: twin };
  return { kind: 'taken', fields: await takenLogins(accounts, profile, refused) };
}

/** Which of the profile's logins other accounts hold; at least the one the store refused. */
async function takenLogins(
  accounts: AccountStore,
  profile: AccountProfile,
  refused: string,
): Promise<('username' | 'email')[]> {
  const taken: ('username' | 'email')[] = [];
  if (refused === 'username' || (await accounts.findByLogin(normaliseLogin(profile.username)))) taken.push('username');
  if (
    profile.email !== undefined &&
    (refused === 'email' || (await accounts.findByLogin(normaliseLogin(profile.email))))
  ) {
    taken.push('email');
  }
  return taken;
}

async function writeBack(record: RecordEvent, legacy: LegacySystem, accountId: string, legacyId: string) {
  const outcome = await legacy.afterMigration(legacyId);
  if (outcome?.kind === 'failed') {
    await record({
      type: 'legacy_write_back_failed',
      accountId,
      legacy: { source: legacy.source, id: legacyId },
      cause: outcome.cause,
    });
  }
}
