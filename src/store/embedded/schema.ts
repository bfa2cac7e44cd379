import type { Database } from 'better-sqlite3';

/** Each entry moves the schema one version up; `PRAGMA user_version` records where a file stands. Append only. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_norm TEXT NOT NULL UNIQUE,
    email TEXT,
    email_norm TEXT UNIQUE,
    email_verified INTEGER NOT NULL DEFAULT 0,
    name TEXT,
    given_name TEXT,
    family_name TEXT,
    roles TEXT NOT NULL DEFAULT '[]',
    origin TEXT NOT NULL,
    legacy_source TEXT,
    legacy_id TEXT,
    migrated_at INTEGER,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (legacy_source, legacy_id)
  );
  CREATE TABLE oidc_artifacts (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grant_id TEXT,
    uid TEXT,
    user_code TEXT,
    expires_at INTEGER,
    consumed_at INTEGER,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX oidc_artifacts_grant ON oidc_artifacts (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_artifacts_uid ON oidc_artifacts (model, uid) WHERE uid IS NOT NULL;
  CREATE INDEX oidc_artifacts_user_code ON oidc_artifacts (model, user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX oidc_artifacts_expiry ON oidc_artifacts (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    account_id TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX events_type ON events (type, seq);
  CREATE INDEX events_account ON events (account_id, seq) WHERE account_id IS NOT NULL;
  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // Imported accounts may keep a legacy hash (kind 'legacy', its options in password_legacy) or none ('none').
  `
  ALTER TABLE accounts ADD COLUMN password_kind TEXT NOT NULL DEFAULT 'bcrypt';
  ALTER TABLE accounts ADD COLUMN password_legacy TEXT;
  CREATE INDEX accounts_origin ON accounts (origin);
  CREATE INDEX accounts_created ON accounts (created_at);
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // Webhook deliveries: one row per (webhook, event), durable until delivered or given up.
  `
  CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook TEXT NOT NULL,
    event_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (webhook, event_id)
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
  `,
  // The console's account search by legacy id alone (the unique index leads with the source).
  `
  CREATE INDEX accounts_legacy_id ON accounts (legacy_id) WHERE legacy_id IS NOT NULL;
  `,
  // Rate-limit counters: one row per key and fixed window, shared by every process.
  `
  CREATE TABLE rate_counters (
    key TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
  );
  CREATE INDEX rate_counters_expiry ON rate_counters (expires_at);
  `,
  // Leases: one holder per name at a time, across processes (single-flight legacy checks).
  `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // The console's account search at 10^6 accounts (src/store/account-search.ts), an operator's switch per account,
  // and an account's artifacts (its sessions, grants and tokens), found and revoked by account.
  // - Listing newest first, resumable: (created_at, id), and (origin, created_at, id) for one origin; the older
  //   (created_at) and (origin) indexes are their prefixes and go.
  // - Prefix phases, read and counted inside an index (no row read per match): username within an origin (without
  //   one, the unique index serves); email with username (the email phase leaves out username matches) and origin.
  // - account_counts: the accounts per origin, kept by the account store's inserts and deletes in their own
  //   transaction (SqliteAccountStore; nothing else writes accounts, and an account's origin never changes). Counting
  //   10^6 index entries for every listing page took ~20 ms (~55 ms for one origin); this is one read. Not triggers:
  //   a trigger makes every insert keep a statement journal, which doubled the cost of a bulk import.
  `
  ALTER TABLE accounts ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
  DROP INDEX accounts_created;
  DROP INDEX accounts_origin;
  CREATE INDEX accounts_listing ON accounts (created_at, id);
  CREATE INDEX accounts_origin_listing ON accounts (origin, created_at, id);
  CREATE INDEX accounts_username_search ON accounts (origin, username_norm);
  CREATE INDEX accounts_email_search ON accounts (email_norm, username_norm, origin) WHERE email_norm IS NOT NULL;
  CREATE TABLE account_counts (
    origin TEXT PRIMARY KEY,
    n INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO account_counts (origin, n) SELECT origin, count(*) FROM accounts GROUP BY origin;
  ALTER TABLE oidc_artifacts ADD COLUMN account_id TEXT;
  UPDATE oidc_artifacts SET account_id = json_extract(payload, '$.accountId')
    WHERE json_type(payload, '$.accountId') = 'text';
  CREATE INDEX oidc_artifacts_account ON oidc_artifacts (account_id, model) WHERE account_id IS NOT NULL;
  `,
  // Second factors (TOTP, recovery codes, passkeys), several per account (src/store/embedded/factors.ts).
  // - credential_id: a passkey's WebAuthn credential id, unique across accounts; NULL (any number) for other kinds.
  // - factors_account: an account's factors, and those of one kind (what a new TOTP or new recovery codes replace).
  // - factors_counted: the console's accounts per kind, read from this index alone (a count of distinct accounts per
  //   kind, with no row read); partial, so used recovery codes, which do not count, are not in it. At 10^6 accounts
  //   with one in ten holding a TOTP and seven unused codes that is 8 * 10^5 entries, ~170 ms on a busy 2-core host
  //   (too long on the event loop for every dashboard: migration 9 keeps the counts instead).
  `
  CREATE TABLE factors (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    credential_id TEXT UNIQUE,
    data TEXT NOT NULL,
    mark INTEGER NOT NULL DEFAULT 0,
    label TEXT,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
  );
  CREATE INDEX factors_account ON factors (account_id, kind);
  CREATE INDEX factors_counted ON factors (kind, account_id) WHERE kind <> 'recovery-code' OR mark < 1;
  `,
  // The console's accounts per factor kind, kept by the factor store's writes in their own transactions
  // (SqliteFactorStore): counting factors_counted for every dashboard took ~170 ms at 10^6 accounts.
  `
  CREATE TABLE factor_counts (
    kind TEXT PRIMARY KEY,
    n INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO factor_counts (kind, n)
    SELECT kind, count(DISTINCT account_id) FROM factors WHERE kind <> 'recovery-code' OR mark < 1 GROUP BY kind;
  `,
  // When the user declined the passkey offered after sign-in (src/interaction/passkey-offer.ts); NULL: not declined.
  `
  ALTER TABLE accounts ADD COLUMN passkey_offer_declined_at INTEGER;
  `,
  // Keyed hashes of erased accounts' legacy links (TombstoneStore): the legacy user is not migrated again by accident.
  `
  CREATE TABLE tombstones (
    mark TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** Brings the file to the latest schema version, or (for tests of a migration) to `target`. */
export function migrateSchema(db: Database, target = MIGRATIONS.length): void {
  // IMMEDIATE takes the write lock first, so two processes starting together cannot both apply a step.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let next = version; next < target; next++) {
      db.exec(MIGRATIONS[next] ?? '');
    }
    if (version < target) db.pragma(`user_version = ${target}`);
  }).immediate();
}
