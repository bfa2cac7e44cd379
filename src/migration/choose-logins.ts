import { z } from 'zod';
import { emailSchema, usernameSchema, type Account } from '../accounts/account.js';
import { mixesScripts } from '../accounts/mixed-scripts.js';
import type { LegacyTombstones } from '../erasure/legacy-tombstones.js';
import type { RecordEvent } from '../events/recorder.js';
import type { CutOffAwareLegacy } from '../legacy/cut-off-aware-legacy.js';
import type { AccountStore } from '../store/store.js';
import { adopt } from './adopt.js';
import { fromPendingTotp, type LegacyFactorDependencies } from './legacy-totp.js';
import type { PendingMigration } from './sign-in.js';
import type { ProfileTransformer } from './transform.js';

/**
 * The step after a first sign-in whose legacy username or email another account already holds: the user, who has
 * just proved the legacy password, picks new ones, and only then is the account stored. A chosen name is held to the
 * rules of a sign-up (it is new here), including that no other legacy user may have it.
 */

export interface ChosenLogins {
  username?: string;
  email?: string;
}

export type ChooseLoginsOutcome =
  | { kind: 'signed-in'; account: Account }
  /** Field name → what is wrong with it. */
  | { kind: 'invalid-input'; errors: Record<string, string> }
  /** A chosen login belongs to someone else, here or in the legacy system. */
  | { kind: 'taken'; fields: ('username' | 'email')[] }
  /** Whether a chosen name is a legacy user's cannot be known now: fail closed. */
  | { kind: 'legacy-unavailable' }
  /** The legacy user's account was erased meanwhile (legacy-tombstones.ts). */
  | { kind: 'erased' };

export type ChooseLogins = (pending: PendingMigration, chosen: ChosenLogins) => Promise<ChooseLoginsOutcome>;

export interface ChooseLoginsDependencies {
  accounts: AccountStore;
  record: RecordEvent;
  legacy: CutOffAwareLegacy;
  transform: ProfileTransformer;
  emailRequired: boolean;
  tombstones: LegacyTombstones;
  /** Where a legacy TOTP secret kept with the pending migration goes (see sign-in.ts). */
  legacyFactors?: LegacyFactorDependencies | undefined;
  now?: () => Date;
}

const chosenUsername = usernameSchema.refine(
  (username) => !mixesScripts(username),
  'must not mix letters of different scripts, such as Latin and Cyrillic',
);

export function createChooseLogins(deps: ChooseLoginsDependencies): ChooseLogins {
  const now = deps.now ?? (() => new Date());
  const emailField = deps.emailRequired
    ? emailSchema
    : z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), emailSchema.optional());

  return async (pending, chosen) => {
    const errors: Record<string, string> = {};
    const profile = { ...pending.profile };
    if (pending.taken.includes('username')) {
      const parsed = chosenUsername.safeParse(chosen.username ?? '');
      if (parsed.success) profile.username = parsed.data;
      else errors.username = parsed.error.issues[0]?.message ?? 'is not valid';
    }
    if (pending.taken.includes('email')) {
      const parsed = emailField.safeParse(chosen.email ?? '');
      if (parsed.success) {
        profile.email = parsed.data;
        // The legacy system vouched for the old address, not for this one.
        profile.emailVerified = false;
      } else errors.email = parsed.error.issues[0]?.message ?? 'is not valid';
    }
    if (Object.keys(errors).length > 0) return { kind: 'invalid-input', errors };

    const legacyTaken = await takenInLegacy(deps, pending, profile.username, profile.email);
    if (legacyTaken === 'unavailable') return { kind: 'legacy-unavailable' };
    if (legacyTaken.length > 0) return { kind: 'taken', fields: legacyTaken };

    const legacy = await deps.legacy.active();
    const { totp: pendingTotp, taken, ...adoption } = pending;
    const totp = fromPendingTotp(deps.legacyFactors, pending.legacy, pendingTotp);
    const adopted = await adopt(
      {
        accounts: deps.accounts,
        record: deps.record,
        now,
        tombstones: deps.tombstones,
        legacyFactors: deps.legacyFactors,
      },
      { ...adoption, profile, chosen: taken, ...(totp ? { totp } : {}) },
      legacy,
    );
    switch (adopted.kind) {
      case 'taken':
        return { kind: 'taken', fields: adopted.fields.filter((field) => pending.taken.includes(field)) };
      case 'erased':
        // Erased while the user was choosing (an operator acting on a support request): the request stands.
        await deps.record({ type: 'migration_failed', reason: 'erased' });
        return { kind: 'erased' };
      case 'adopted':
        await deps.record({ type: 'signed_in', accountId: adopted.account.id, migrated: true });
        return { kind: 'signed-in', account: adopted.account };
      case 'already-here':
        // The same legacy user finished this step in another tab: that account is theirs, its password the same.
        await deps.record({ type: 'signed_in', accountId: adopted.account.id, migrated: false });
        return { kind: 'signed-in', account: adopted.account };
    }
  };
}

/** The chosen logins that name another legacy user (one not yet migrated would otherwise lose their name). */
async function takenInLegacy(
  deps: ChooseLoginsDependencies,
  pending: PendingMigration,
  username: string,
  email: string | undefined,
): Promise<('username' | 'email')[] | 'unavailable'> {
  const legacy = await deps.legacy.active();
  if (!legacy) return [];
  const checks = (['username', 'email'] as const).flatMap((field) => {
    const value = field === 'username' ? username : email;
    return pending.taken.includes(field) && value !== undefined ? [{ field, value }] : [];
  });
  const taken: ('username' | 'email')[] = [];
  for (const { field, value } of checks) {
    const found = await legacy.findUser(value);
    if (found.kind === 'unavailable') return 'unavailable';
    if (found.kind === 'not-found') continue;
    const owner = await deps.transform(found.profile);
    // The user's own legacy record answering to the new name is no clash.
    if (owner.kind === 'valid' && owner.legacyId === pending.legacy.id) continue;
    taken.push(field);
  }
  return taken;
}
