/**
 * What the IdP records about itself. Events never carry a secret: no password, hash or token, only ids, confirmed
 * logins and reasons.
 */
export type MigrationFailureReason =
  | 'invalid_credentials'
  | 'disabled'
  | 'unavailable'
  | 'unusable'
  /** The legacy record's stored hash is of a scheme the IdP cannot judge; told to the user as a wrong password. */
  | 'unsupported_hash'
  /** Several legacy records answer to the login and the password did not single one out. */
  | 'ambiguous_login'
  | 'validation'
  /** The legacy user's account here was erased (a tombstone): not migrated again. */
  | 'erased'
  /** Before the choose-new-logins step (now a `migration_conflict` event): kept so older events still read. */
  | 'conflict'
  /** No longer recorded (first sign-ins meet the same limits as every sign-in, before it): kept for older events. */
  | 'rate_limited';

export type IdpEvent =
  | {
      type: 'migrated';
      accountId: string;
      login: string;
      legacy: { source: string; id: string };
      /** How long the legacy system took to judge the password; absent when it judged none (a password reset). */
      legacyLatencyMs?: number;
      /** How the legacy system vouched for the user: a first sign-in (the default), or a password reset by email. */
      via?: 'password_reset';
      /** The logins the user chose because the legacy ones were held by other accounts. */
      chosen?: ('username' | 'email')[];
      /**
       * The legacy user's TOTP secret (`mapping.totpSecret`): carried as the account's authenticator app, or not a
       * usable secret (the account has no second factor: the operator's to look at). Absent: the user had none.
       */
      totp?: 'carried' | 'invalid_secret';
    }
  | {
      type: 'migration_failed';
      /** Only once the legacy system confirmed the credentials (validation): before that it may be a typo'd password. */
      login?: string;
      reason: MigrationFailureReason;
      /** Names of the account fields that failed validation or collided. */
      fields?: string[];
      /** For `unavailable`, `unusable`, `unsupported_hash`: what failed (timeout, status 500, the hash's scheme …). */
      cause?: string;
      /** The legacy record concerned, when one is (an unsupported hash: the operator's to fix). */
      legacy?: { source: string; id: string };
      legacyLatencyMs?: number;
    }
  /**
   * The legacy system confirmed the password, but the username or email belongs to another account here (two legacy
   * logins that differ only in case, a shared email): the user is asked for another one, never merged or refused.
   */
  | { type: 'migration_conflict'; legacy: { source: string; id: string }; fields: ('username' | 'email')[] }
  | { type: 'legacy_write_back_failed'; accountId: string; legacy: { source: string; id: string }; cause: string }
  | { type: 'account_renamed'; accountId: string; fields: string[] }
  /** The legacy system renamed the user to a name or email another account holds: the old one is kept. */
  | { type: 'account_rename_refused'; accountId: string; field: string }
  | { type: 'signed_in'; accountId: string; migrated: boolean }
  /**
   * A local account refused: a wrong password (so guessing at one person shows in the log, not only as a metric), or
   * a password it cannot sign in with as it stands (imported without one, say).
   */
  | {
      type: 'sign_in_refused';
      accountId: string;
      reason: 'invalid_password' | 'password_reset_required' | 'unusable_password_hash' | 'disabled';
    }
  /** An imported legacy hash was verified once and replaced by a bcrypt hash of the same password. */
  | { type: 'password_rehashed'; accountId: string }
  /** Chosen at sign-in because the legacy password was too weak (`passwords.requireChangeOfWeakLegacyPasswords`). */
  /** A new password: replacing a weak legacy one at sign-in, or the user's own choice on their account page. */
  | { type: 'password_changed'; accountId: string; reason: 'weak_legacy_password' | 'user' }
  | { type: 'registered'; accountId: string }
  /** The account's email address was confirmed through the link mailed to it: `email_verified` is now true. */
  | { type: 'email_verified'; accountId: string }
  /** The user changed their email address (confirmed through the link mailed to the new one, which is verified). */
  | { type: 'email_changed'; accountId: string }
  /** The user signed out everywhere from their account page: every session, grant and token ended. */
  /** The user changed their names on their profile page (which ones, or to what, is not recorded). */
  | { type: 'profile_changed'; accountId: string }
  /** `scope` one: the user ended one other session from their sessions page. */
  | { type: 'sessions_ended'; accountId: string; scope?: 'one' }
  | { type: 'password_reset_requested'; accountId: string }
  | { type: 'password_reset_requested'; legacy: { source: string; id: string } }
  | { type: 'password_reset'; accountId: string; migrated: boolean }
  /** Anything an operator did through the console or the admin API, with who did it. */
  | {
      type: 'admin_action';
      adminId: string;
      action: AdminAction;
      /** The account acted on, when there is one: the event is then in that account's history too. */
      accountId?: string;
      detail?: Record<string, string | number | boolean>;
    }
  /** A second factor added from the account pages (recovery codes: a new set, replacing any unused old one). */
  | { type: 'factor_enrolled'; accountId: string; factor: SecondFactorKind; count?: number }
  /** A second factor taken away, by the user or (with `adminId`) by an operator's reset. */
  | { type: 'factor_removed'; accountId: string; factor: SecondFactorKind | 'all'; adminId?: string }
  /** A second step passed at sign-in; for a recovery code, how many unused ones are left. */
  | { type: 'factor_used'; accountId: string; factor: SecondFactorKind; recoveryCodesLeft?: number }
  /**
   * A second step failed: a wrong code, a code of a time step already used (a replay), or a secret the IdP cannot
   * open (sealed with a key no longer configured: the operator's to fix). A passkey (`factor: 'passkey'`) fails
   * when its response does not verify (another origin or RP ID, another challenge, a bad signature, no user
   * verification), when the authenticator names another user than the passkey's, or when its signature counter
   * does not move forward (`cloned_authenticator`: two authenticators hold the same key).
   */
  | {
      type: 'factor_failed';
      accountId: string;
      reason:
        | 'wrong_code'
        | 'replayed'
        | 'unreadable_secret'
        | 'rate_limited'
        | 'passkey_rejected'
        | 'user_mismatch'
        | 'cloned_authenticator';
      /** The factor that failed, when the attempt says (a typed code could be either kind: absent). */
      factor?: SecondFactorKind;
      /** For a passkey: what did not match (the origin the browser signed for, say), for the operator. */
      cause?: string;
    }
  /**
   * The user's answer to the passkey offered after a password sign-in: one added (also a `factor_enrolled`), not
   * now (offered again at the next sign-in), or declined for good.
   */
  | { type: 'passkey_offer_answered'; accountId: string; answer: 'added' | 'later' | 'declined' }
  /** An operator deleted the account (its sessions, grants and tokens with it). */
  /**
   * The account was erased, by its user (their account page) or an operator: no personal data stays, here or in the
   * account's earlier events; `legacyTombstone` says its legacy link was kept as a tombstone (legacy-tombstones.ts).
   */
  | {
      type: 'account_deleted';
      accountId: string;
      by: 'user' | 'operator';
      adminId?: string;
      legacyTombstone?: boolean;
      /** Only in events recorded before erasure removed personal data from them. */
      username?: string;
    }
  /** A bulk import run that stored accounts (a dry run records nothing). */
  | {
      type: 'imported';
      source: string;
      imported: number;
      withoutPassword: number;
      skipped: number;
      rejected: number;
      /** Of the imported: with their legacy TOTP secret as their authenticator app (absent: none). */
      withTotp?: number;
      /** Of the imported: without it, the legacy value not being a usable secret (absent: none). */
      invalidTotp?: number;
      /** Legacy users not imported because their account here was erased (absent: none). */
      erased?: number;
    };

export type EventType = IdpEvent['type'];

/** Every event type, for filters; a Record so that a type added to IdpEvent and not here fails to compile. */
const EVENT_TYPE_SET: Record<EventType, true> = {
  migrated: true,
  migration_failed: true,
  migration_conflict: true,
  signed_in: true,
  sign_in_refused: true,
  registered: true,
  email_verified: true,
  email_changed: true,
  sessions_ended: true,
  profile_changed: true,
  imported: true,
  password_reset_requested: true,
  password_reset: true,
  password_rehashed: true,
  password_changed: true,
  account_renamed: true,
  account_rename_refused: true,
  legacy_write_back_failed: true,
  admin_action: true,
  account_deleted: true,
  factor_enrolled: true,
  factor_removed: true,
  factor_used: true,
  factor_failed: true,
  passkey_offer_answered: true,
};
export const EVENT_TYPES = Object.keys(EVENT_TYPE_SET) as readonly EventType[];

export type AdminAction =
  | 'cut_off'
  | 'reconnect'
  | 'import_started'
  | 'import_finished'
  | 'readiness_check'
  | 'account_disabled'
  | 'account_enabled'
  | 'password_reset_required'
  | 'sessions_revoked'
  | 'account_deleted'
  | 'factors_reset'
  | 'signing_keys_rotated'
  /** An erased user's legacy link freed, so they can move again (the legacy id is not recorded). */
  | 'tombstone_lifted';

/** The second factors as events name them. */
export type SecondFactorKind = 'totp' | 'recovery-code' | 'passkey';

export type StoredEvent = IdpEvent & { id: string; at: Date };

export interface EventQuery {
  type?: EventType;
  /** Any of these types (with `type`, both must hold). */
  types?: readonly EventType[];
  accountId?: string;
  /** Events of accounts whose id starts so (the short id the console shows); with `accountId`, both must hold. */
  accountIdPrefix?: string;
  /** Only events at or after this time. */
  since?: Date;
  limit?: number;
}

/** How many events a query returns: 100 unless asked, never "all" by accident, at most 50,000. */
export function eventLimit(query: EventQuery): number {
  return Math.min(Math.max(1, query.limit ?? 100), 50_000);
}
