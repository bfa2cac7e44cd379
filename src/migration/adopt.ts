import { randomUUID } from 'node:crypto';
import { normaliseLogin, type Account, type AccountProfile } from '../accounts/account.js';
import type { RecordEvent } from '../events/recorder.js';
import type { LegacySystem } from '../legacy/legacy-system.js';
import type { AccountStore } from '../store/store.js';

/**
 * A legacy user the legacy system has just vouched for (the password was confirmed), becoming an account here:
 * stored atomically, recorded as `migrated`, and the legacy system told (write-back). Shared by the first sign-in and
 * by the step where a user whose name was taken chooses another.
 */

export interface Adoption {
  legacy: { source: string; id: string };
  profile: AccountProfile;
  /** The IdP's own hash of the confirmed password; never the password itself. */
  passwordHash: string;
  /** The login as typed and normalised, for the `migrated` event (the password has confirmed it). */
  login: string;
  legacyLatencyMs: number;
  /** Logins the user chose because the legacy ones were held by other accounts. */
  chosen?: ('username' | 'email')[];
}

export type AdoptOutcome =
  | { kind: 'adopted'; account: Account }
  /** This legacy user is here already (a parallel first sign-in won): that account decides. */
  | { kind: 'already-here'; account: Account }
  /** The username and/or email belong to other accounts: nothing was stored. */
  | { kind: 'taken'; fields: ('username' | 'email')[] };

export interface AdoptDependencies {
  accounts: AccountStore;
  record: RecordEvent;
  now: () => Date;
}

export async function adopt(
  deps: AdoptDependencies,
  adoption: Adoption,
  writeBackTo: LegacySystem | undefined,
): Promise<AdoptOutcome> {
  const at = deps.now();
  const account: Account = {
    ...adoption.profile,
    id: randomUUID(),
    origin: 'migrated',
    legacy: { ...adoption.legacy, migratedAt: at },
    password: { kind: 'bcrypt', hash: adoption.passwordHash },
    createdAt: at,
    updatedAt: at,
  };
  const inserted = await deps.accounts.insert(account);
  if (inserted.kind === 'conflict') {
    // The store names the first unique index it hit; the legacy id decides whether this is a repeat or a clash.
    const twin = await deps.accounts.findByLegacyId(adoption.legacy.source, adoption.legacy.id);
    if (twin) return { kind: 'already-here', account: twin };
    return { kind: 'taken', fields: await takenLogins(deps.accounts, adoption.profile, inserted.field) };
  }
  await deps.record({
    type: 'migrated',
    accountId: account.id,
    login: adoption.login,
    legacy: adoption.legacy,
    legacyLatencyMs: adoption.legacyLatencyMs,
    ...(adoption.chosen?.length ? { chosen: adoption.chosen } : {}),
  });
  // Not awaited: telling the legacy system is bookkeeping and must not slow or fail the sign-in.
  if (writeBackTo) void writeBack(deps.record, writeBackTo, account.id, adoption.legacy.id);
  return { kind: 'adopted', account };
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
