import { z } from 'zod';
import { legacyHashConfigSchema } from '../passwords/legacy/scheme-names.js';

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
   * PostgreSQL, `:login` for MySQL/MariaDB (it may repeat). When several rows answer (a shared email, a collation
   * that folds case), the password picks the one it matches; none or several matching is refused as ambiguous.
   */
  userQuery: z.string().min(1),
  columns: z.strictObject({
    /** The stable id of the record (becomes the account's legacy id). */
    id: z.string().min(1),
    passwordHash: z.string().min(1),
    /** A separate salt column, for the salted-* hash schemes. */
    salt: z.string().min(1).optional(),
    /**
     * A column naming each row's hash scheme, for tables holding rows of several eras (`md5`, `sha1`, `bcrypt`,
     * `pbkdf2_sha256` …, read through `hash.names`); an empty or unknown name falls back to `detect`.
     */
    scheme: z.string().min(1).optional(),
    /** Truthy (true, 1, "Y", "yes" …) means the account may not sign in. */
    disabled: z.string().min(1).optional(),
  }),
  /** The hash options of rows that name no scheme, and `names`: what the scheme column's values mean. */
  hash: legacyHashConfigSchema.prefault({}),
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
  /** For the progress of an import or a scan: the number of users the listing will read, e.g. `SELECT count(*) FROM users`. */
  countQuery: z.string().min(1).optional(),
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
  /**
   * Group memberships into the profile, read with the service account (after a successful password check, and by
   * look-ups and imports, so a profile is the same everywhere). The names become a list under `profileField`
   * (always present, sorted), for the mapping's `roles: { path: 'groups', map: { … } }`.
   * Active Directory: `filter: '(member:1.2.840.113556.1.4.1941:={dn})'` (LDAP_MATCHING_RULE_IN_CHAIN) has the
   * directory follow nesting itself; keep `nested: false` then. Untested here: no AD server exists in the tests.
   * Cost: one search per user (plus one per nesting level with `nested`), in imports too (four users at a time);
   * index member and uniqueMember for equality.
   */
  groups: z
    .strictObject({
      /** Where groups are searched; default: `searchBase`. */
      searchBase: z.string().min(1).optional(),
      scope: z.enum(['sub', 'one']).default('sub'),
      /** The groups an entry is a direct member of; `{dn}` is replaced by the member's DN, escaped (RFC 4515). */
      filter: z
        .string()
        .includes('{dn}')
        // Parenthesized, so that nested levels can OR several of them into one search.
        .regex(/^\(.*\)$/s, 'must be a filter in parentheses')
        .default('(|(&(objectClass=groupOfNames)(member={dn}))(&(objectClass=groupOfUniqueNames)(uniqueMember={dn})))'),
      /** The attribute naming a group in the profile (every value of it); `dn` for the group's DN. */
      nameAttribute: z.string().min(1).default('cn'),
      /** The profile field the names go into; it replaces a directory attribute of the same name. */
      profileField: z
        .string()
        .min(1)
        .refine((field) => field !== 'dn', 'dn is the entry’s DN in the profile')
        .default('groups'),
      /** Follows group-in-group membership here (breadth first, cycle-safe), for directories that cannot. */
      nested: z.boolean().default(false),
      /**
       * Levels above the direct groups that `nested` follows, and groups in all. Membership beyond either fails the
       * call (a sign-in as unusable, a look-up as unavailable, an import stops) rather than give a profile that
       * silently lacks groups.
       */
      maxDepth: z.number().int().min(1).max(64).default(10),
      maxGroups: z.number().int().min(1).max(100_000).default(1000),
    })
    .optional(),
  /**
   * An identity that may read password hashes, used only to list users for an import or its pre-flight scan (never
   * for a sign-in or a look-up): the listing binds as it and keeps `attribute` (RFC 2307 `{SCHEME}…` values) as each
   * record's legacy hash. Give it the service account's read rights plus read on `attribute`. Without it, imported
   * directory users must reset their password.
   */
  hashReader: z
    .strictObject({
      bindDn: z.string().min(1),
      bindPassword: z.string().min(1),
      attribute: z.string().min(1).default('userPassword'),
    })
    .optional(),
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
