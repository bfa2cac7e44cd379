import type pg from 'pg';

/**
 * The schema, one versioned step at a time: `schema_migrations` records the versions applied. Append only; each step
 * is idempotent (IF NOT EXISTS, ON CONFLICT DO NOTHING), so a database set up by hand or half-way stays usable.
 *
 * Choices that hold throughout:
 * - Times are bigint milliseconds since the epoch, as the embedded store keeps them: a JS Date round-trips exactly,
 *   and they compare with the process's `Date.now()` the way the other stores' expiries do.
 * - Keys that are compared, ranged or sorted (ids, normalised logins, legacy ids, names) are `COLLATE "C"`: byte
 *   order, which for UTF-8 is code-point order, the order the search's cursors and prefix ranges assume
 *   (src/store/account-search.ts) whatever the database's own collation. A plain B-tree on such a column serves
 *   prefix ranges (`>= p AND < p || U+10FFFF`) with no text_pattern_ops.
 * - JSON the store only keeps (oidc-provider's artifacts, events) is `json`, stored as written: it may carry text
 *   from outside (request parameters, a legacy system's error), and `jsonb` refuses `\u0000` and lone surrogates.
 *   The store's own values (roles, factor data, secrets, settings) are `jsonb`. Webhook bodies are text: they must
 *   go out byte for byte as they were signed.
 */
const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'accounts',
    // - The unique indexes are the only uniqueness check; their names are how a refused write says which field
    //   clashed (accounts.ts). NULLs are distinct, so any number of accounts may have no email or legacy reference.
    // - The search (account-search.ts): listing newest first by (created_at, id), and (origin, created_at, id) for one
    //   origin; username prefixes on the unique index, or (origin, username_norm); email prefixes on (email_norm,
    //   username_norm) carrying origin and id, so that the email phase, which leaves out username matches, and its
    //   count run as index-only scans.
    // - account_counts: accounts per origin, kept by the account store's inserts and deletes in their own statements
    //   (no triggers): counting 10^6 index entries for every listing page would cost tens of milliseconds.
    sql: `
      CREATE TABLE IF NOT EXISTS accounts (
        id text COLLATE "C" NOT NULL,
        username text NOT NULL,
        username_norm text COLLATE "C" NOT NULL,
        email text,
        email_norm text COLLATE "C",
        email_verified boolean NOT NULL DEFAULT false,
        name text,
        given_name text,
        family_name text,
        roles jsonb NOT NULL DEFAULT '[]',
        origin text COLLATE "C" NOT NULL,
        legacy_source text COLLATE "C",
        legacy_id text COLLATE "C",
        migrated_at bigint,
        password_kind text NOT NULL,
        password_hash text NOT NULL,
        password_legacy jsonb,
        disabled boolean NOT NULL DEFAULT false,
        passkey_offer_declined_at bigint,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        CONSTRAINT accounts_pkey PRIMARY KEY (id)
      );
      CREATE UNIQUE INDEX IF NOT EXISTS accounts_username_unique ON accounts (username_norm);
      CREATE UNIQUE INDEX IF NOT EXISTS accounts_email_unique ON accounts (email_norm);
      CREATE UNIQUE INDEX IF NOT EXISTS accounts_legacy_unique ON accounts (legacy_source, legacy_id);
      CREATE INDEX IF NOT EXISTS accounts_legacy_id ON accounts (legacy_id) WHERE legacy_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS accounts_listing ON accounts (created_at, id);
      CREATE INDEX IF NOT EXISTS accounts_origin_listing ON accounts (origin, created_at, id);
      CREATE INDEX IF NOT EXISTS accounts_origin_username ON accounts (origin, username_norm) INCLUDE (id);
      CREATE INDEX IF NOT EXISTS accounts_email_search ON accounts (email_norm, username_norm) INCLUDE (origin, id)
        WHERE email_norm IS NOT NULL;
      CREATE INDEX IF NOT EXISTS accounts_origin_email_search ON accounts (origin, email_norm, username_norm)
        INCLUDE (id) WHERE email_norm IS NOT NULL;
      CREATE TABLE IF NOT EXISTS account_counts (
        origin text COLLATE "C" PRIMARY KEY,
        n bigint NOT NULL
      );
      INSERT INTO account_counts (origin, n) SELECT origin, count(*) FROM accounts GROUP BY origin
        ON CONFLICT (origin) DO NOTHING;
    `,
  },
  {
    version: 2,
    name: 'second factors',
    // - credential_id: a passkey's WebAuthn credential id, unique across accounts; NULL (any number) for other kinds.
    // - factor_holdings: per account and kind, how many factors count (a recovery code only while unused); a row
    //   going from 0 to 1 or back moves factor_counts, the console's accounts per kind. Both are changed by
    //   row-locking updates in the factor store's own statements, so concurrent writes never lose a change.
    sql: `
      CREATE TABLE IF NOT EXISTS factors (
        id text COLLATE "C" PRIMARY KEY,
        account_id text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        credential_id text COLLATE "C",
        data jsonb NOT NULL,
        mark bigint NOT NULL DEFAULT 0,
        label text,
        created_at bigint NOT NULL,
        last_used_at bigint
      );
      CREATE UNIQUE INDEX IF NOT EXISTS factors_credential_unique ON factors (credential_id);
      CREATE INDEX IF NOT EXISTS factors_account ON factors (account_id, kind);
      CREATE TABLE IF NOT EXISTS factor_holdings (
        account_id text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (account_id, kind)
      );
      CREATE TABLE IF NOT EXISTS factor_counts (
        kind text COLLATE "C" PRIMARY KEY,
        n bigint NOT NULL
      );
      INSERT INTO factor_holdings (account_id, kind, n)
        SELECT account_id, kind, count(*) FROM factors WHERE kind <> 'recovery-code' OR mark < 1
        GROUP BY account_id, kind
        ON CONFLICT (account_id, kind) DO NOTHING;
      INSERT INTO factor_counts (kind, n) SELECT kind, count(*) FROM factor_holdings WHERE n > 0 GROUP BY kind
        ON CONFLICT (kind) DO NOTHING;
    `,
  },
  {
    version: 3,
    name: 'oidc-provider artifacts',
    sql: `
      CREATE TABLE IF NOT EXISTS oidc_artifacts (
        model text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        payload json NOT NULL,
        grant_id text COLLATE "C",
        uid text COLLATE "C",
        user_code text COLLATE "C",
        account_id text COLLATE "C",
        expires_at bigint,
        consumed_at bigint,
        PRIMARY KEY (model, id)
      );
      CREATE INDEX IF NOT EXISTS oidc_artifacts_grant ON oidc_artifacts (grant_id) WHERE grant_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_artifacts_uid ON oidc_artifacts (model, uid) WHERE uid IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_artifacts_user_code ON oidc_artifacts (model, user_code)
        WHERE user_code IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_artifacts_account ON oidc_artifacts (account_id, model)
        WHERE account_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS oidc_artifacts_expiry ON oidc_artifacts (expires_at) WHERE expires_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'events',
    // seq orders the log (newest first); an account's events and a type's events are ranges read backwards.
    sql: `
      CREATE TABLE IF NOT EXISTS events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        type text COLLATE "C" NOT NULL,
        at bigint NOT NULL,
        account_id text COLLATE "C",
        data json NOT NULL
      );
      CREATE INDEX IF NOT EXISTS events_type ON events (type, seq);
      CREATE INDEX IF NOT EXISTS events_account ON events (account_id, seq) WHERE account_id IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'secrets and settings',
    sql: `
      CREATE TABLE IF NOT EXISTS secrets (
        name text COLLATE "C" PRIMARY KEY,
        value jsonb NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE TABLE IF NOT EXISTS settings (
        name text COLLATE "C" PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at bigint NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'webhook deliveries',
    // One row per (webhook, event), durable until delivered or given up; the due ones are a partial index's range.
    sql: `
      CREATE TABLE IF NOT EXISTS webhook_deliveries (
        id text COLLATE "C" PRIMARY KEY,
        webhook text COLLATE "C" NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        payload text NOT NULL,
        state text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint NOT NULL,
        last_error text,
        created_at bigint NOT NULL,
        UNIQUE (webhook, event_id)
      );
      CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE state = 'pending';
      CREATE INDEX IF NOT EXISTS webhook_deliveries_state ON webhook_deliveries (state);
    `,
  },
  {
    version: 7,
    name: 'rate-limit counters and leases',
    sql: `
      CREATE TABLE IF NOT EXISTS rate_counters (
        key text COLLATE "C" NOT NULL,
        window_start bigint NOT NULL,
        count integer NOT NULL,
        expires_at bigint NOT NULL,
        PRIMARY KEY (key, window_start)
      );
      CREATE INDEX IF NOT EXISTS rate_counters_expiry ON rate_counters (expires_at);
      CREATE TABLE IF NOT EXISTS leases (
        name text COLLATE "C" PRIMARY KEY,
        holder text NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX IF NOT EXISTS leases_expiry ON leases (expires_at);
    `,
  },
  {
    version: 8,
    name: 'tombstones',
    // Keyed hashes of erased accounts' legacy links (TombstoneStore): the legacy user is not migrated again by accident.
    sql: `
      CREATE TABLE IF NOT EXISTS tombstones (
        mark text COLLATE "C" PRIMARY KEY,
        created_at bigint NOT NULL
      );
    `,
  },
];

/**
 * The advisory lock every process takes to migrate (an arbitrary constant, this store's own): the second of two
 * processes starting at once waits for the first's transaction, then finds every step recorded.
 */
const MIGRATION_LOCK = 7_364_816_022;

/**
 * Brings the database to the latest version (or, for tests, to `target`) in one transaction under the advisory lock;
 * returns the versions this call applied.
 */
export async function migrateSchema(client: pg.ClientBase, target = MIGRATIONS.length): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    // A step may build an index over 10^6 rows, and a process may wait here for another's steps: neither is a
    // request to cut short. SET LOCAL ends with the transaction.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query(`SELECT pg_advisory_xact_lock(${String(MIGRATION_LOCK)})`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    for (const migration of MIGRATIONS.slice(0, target)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
