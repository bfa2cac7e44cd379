import { z } from 'zod';
import { legacyHashOptionsSchema } from '../legacy/hashes/legacy-hash.js';

/** Configuration of the legacy system (`legacy` in the config file): one connector kind and how it is guarded. */

/** Goes into an HTTP header: a stray newline from a secrets file would make every legacy call fail. */
const headerSafe = z
  .string()
  .min(1)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (check for a trailing newline)');

const resilienceSchema = z
  .strictObject({
    /** Legacy calls in flight at once; beyond `maxQueued` waiting ones, calls fail fast as "unavailable". */
    maxConcurrent: z.number().int().min(1).max(1000).default(16),
    maxQueued: z.number().int().min(0).max(10_000).default(64),
    /** Consecutive "unavailable" answers that open the circuit (no legacy calls until a probe succeeds). */
    breakerFailures: z.number().int().min(1).max(1000).default(5),
    breakerHalfOpenAfterMs: z.number().int().min(100).default(10_000),
    /** Attempts for look-ups (sign-up checks); password checks are never retried. */
    lookupAttempts: z.number().int().min(1).max(5).default(3),
  })
  .prefault({});

/** Keys every connector kind has. */
const common = {
  /** Recorded on each migrated account as `legacy.source`; legacy ids are unique per source. */
  source: z.string().min(1).default('legacy'),
  /** Whole-call budget for every legacy call. */
  timeoutMs: z.number().int().positive().default(5000),
  resilience: resilienceSchema,
};

const httpConnectorSchema = z.strictObject({
  ...common,
  kind: z.literal('http'),
  baseUrl: z.url({ protocol: /^https?$/ }),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('none') }),
      z.strictObject({ type: z.literal('bearer'), token: headerSafe }),
      z.strictObject({ type: z.literal('basic'), username: headerSafe, password: headerSafe }),
    ])
    .default({ type: 'none' }),
  /** PEM file of extra CA certificates trusted for the legacy system's TLS certificate. */
  caFile: z.string().min(1).optional(),
  /** An answer body larger than this is treated as a broken legacy system. */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Production refuses plain http here (passwords travel on it) unless the network is declared trusted. */
  allowInsecureTransport: z.boolean().default(false),
  /** Users per page when a bulk import reads `GET /users?after=…&limit=…`. */
  listPageSize: z.number().int().min(1).max(10_000).default(500),
  /**
   * A field of the profiles `GET /users` returns that is true (1, "Y" …) for a disabled or locked account. The
   * contract has none, so without it a password reset cannot create accounts of users not yet migrated.
   */
  disabledField: z.string().min(1).optional(),
});

const sqlConnectorSchema = z.strictObject({
  ...common,
  kind: z.literal('sql'),
  /** `postgres://…` (pg) or `mysql://…` / `mariadb://…` (mysql2). A read-only role is enough. */
  url: z.string().regex(/^(postgres(ql)?|mysql|mariadb):\/\//, 'must start with postgres://, mysql:// or mariadb://'),
  /**
   * Returns the user's row for a login (username or email), with the login as its one parameter: `$1` for
   * PostgreSQL, `:login` for MySQL/MariaDB (it may repeat). Matching several rows makes the record unusable.
   */
  userQuery: z.string().min(1),
  columns: z.strictObject({
    /** The stable id of the record (becomes the account's legacy id). */
    id: z.string().min(1),
    passwordHash: z.string().min(1),
    /** A separate salt column, for the salted-* hash schemes. */
    salt: z.string().min(1).optional(),
    /** Truthy (true, 1, "Y", "yes" …) means the account may not sign in. */
    disabled: z.string().min(1).optional(),
  }),
  hash: legacyHashOptionsSchema.prefault({}),
  /**
   * Run after a successful migration with the legacy id as its parameter (`$1` / `:id`); a failure is only recorded.
   * Give it as `{ "query": …, "url": … }` to run it on its own connection as its own role (least privilege: e.g.
   * `GRANT SELECT (id), UPDATE (migrated_at) ON users`), so the reading role stays SELECT-only and the writing role
   * never reads hashes. A plain string runs on the reading connection, which must then be allowed to write.
   */
  writeBack: z
    .union([
      z.string().min(1),
      z.strictObject({
        query: z.string().min(1),
        url: z
          .string()
          .regex(/^(postgres(ql)?|mysql|mariadb):\/\//, 'must start with postgres://, mysql:// or mariadb://')
          .optional(),
      }),
    ])
    .optional(),
  /**
   * For bulk import: one page of users after the last id read (its parameter, NULL at first), ordered by id, e.g.
   * `SELECT … FROM users WHERE ($1::bigint IS NULL OR id > $1) ORDER BY id LIMIT 1000`.
   */
  listQuery: z.string().min(1).optional(),
  poolSize: z.number().int().min(1).max(100).default(4),
  /** TLS to the database: a CA file to trust; `rejectUnauthorized: false` only for a trusted private network. */
  tls: z
    .strictObject({ caFile: z.string().min(1).optional(), rejectUnauthorized: z.boolean().default(true) })
    .optional(),
});

const ldapConnectorSchema = z.strictObject({
  ...common,
  kind: z.literal('ldap'),
  /** `ldaps://host:636` or `ldap://host:389` (with `startTls`). */
  url: z.string().regex(/^ldaps?:\/\//, 'must start with ldap:// or ldaps://'),
  startTls: z.boolean().default(false),
  /** PEM file of CA certificates trusted for the directory's certificate. */
  caFile: z.string().min(1).optional(),
  /** The service account that finds users; it needs search rights, not password read rights. */
  bindDn: z.string().min(1),
  bindPassword: z.string().min(1),
  searchBase: z.string().min(1),
  /** `{login}` is replaced by the login, escaped (RFC 4515). */
  searchFilter: z.string().includes('{login}').default('(|(uid={login})(mail={login}))'),
  scope: z.enum(['sub', 'one']).default('sub'),
  /** Attributes that become the legacy profile (plus `dn`). */
  attributes: z
    .array(z.string().min(1))
    .default(['uid', 'mail', 'cn', 'givenName', 'sn', 'displayName', 'memberOf', 'entryUUID']),
  /** The stable id: `entryUUID` (OpenLDAP), `objectGUID` (Active Directory), or any unique attribute. */
  idAttribute: z.string().min(1).default('entryUUID'),
  /** Which entries a bulk import reads (under `searchBase`). */
  listFilter: z.string().min(1).default('(objectClass=inetOrgPerson)'),
  /** Evaluated by the directory on the user's entry after a successful bind; a match means disabled. */
  disabledFilter: z.string().min(1).optional(),
  allowInsecureTransport: z.boolean().default(false),
});

const moduleConnectorSchema = z.strictObject({
  ...common,
  kind: z.literal('module'),
  /** A JS/TS module exporting `authenticate(login, password, context)` and `findUser(login, context)`. */
  path: z.string().min(1),
  /** Passed to the module as `context.options` (connection strings, flags). */
  options: z.record(z.string(), z.unknown()).default({}),
});

export const legacySchema = z.discriminatedUnion('kind', [
  httpConnectorSchema,
  sqlConnectorSchema,
  ldapConnectorSchema,
  moduleConnectorSchema,
]);
export type LegacyConfig = z.infer<typeof legacySchema>;
export type HttpConnectorConfig = z.infer<typeof httpConnectorSchema>;
export type SqlConnectorConfig = z.infer<typeof sqlConnectorSchema>;
export type LdapConnectorConfig = z.infer<typeof ldapConnectorSchema>;
export type ModuleConnectorConfig = z.infer<typeof moduleConnectorSchema>;
