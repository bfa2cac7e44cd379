import { z } from 'zod';
import { legacyHashConfigSchema } from './hash-options-schema.js';

/** Configuration of the legacy system (`legacy` in the config file): one connector kind and how it is guarded. */

/** Goes into an HTTP header: a stray newline from a secrets file would make every legacy call fail. */
const headerSafe = z
  .string()
  .min(1)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (check for a trailing newline)');

const resilienceSchema = z
  .strictObject({
    maxConcurrent: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(16)
      .describe('Legacy calls in flight at once; beyond `maxQueued` waiting ones, calls fail fast as "unavailable".'),
    maxQueued: z.number().int().min(0).max(10_000).default(64).describe('Legacy calls that may wait for a slot.'),
    breakerFailures: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe('Consecutive "unavailable" answers that open the circuit (no legacy calls until a probe succeeds).'),
    breakerHalfOpenAfterMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('How long an open circuit waits before one probe call may try the legacy system again.'),
    lookupAttempts: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(3)
      .describe('Attempts for look-ups (sign-up checks); password checks are never retried.'),
  })
  .prefault({})
  .describe('How calls to the legacy system are bounded and guarded when it is slow or down.');

/** Keys every connector kind has. */
const common = {
  source: z
    .string()
    .min(1)
    .default('legacy')
    .describe('Recorded on each migrated account as `legacy.source`; legacy ids are unique per source.'),
  timeoutMs: z.number().int().positive().default(5000).describe('Whole-call budget for every legacy call.'),
  resilience: resilienceSchema,
};

const httpConnectorSchema = z
  .strictObject({
    ...common,
    kind: z.literal('http'),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .describe('Where the legacy HTTP API (docs/legacy-http-api.md) answers, e.g. `https://legacy.internal/api`.'),
    auth: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('none') }),
        z.strictObject({
          type: z.literal('bearer'),
          token: headerSafe.describe('Sent as `Authorization: Bearer <token>`; give it from the environment.'),
        }),
        z.strictObject({
          type: z.literal('basic'),
          username: headerSafe.describe('HTTP basic authentication user.'),
          password: headerSafe.describe('HTTP basic authentication password; give it from the environment.'),
        }),
      ])
      .default({ type: 'none' })
      .describe('How the IdP authenticates itself to the legacy API.'),
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file of extra CA certificates trusted for the legacy system's TLS certificate."),
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024)
      .describe('An answer body larger than this is treated as a broken legacy system.'),
    allowInsecureTransport: z
      .boolean()
      .default(false)
      .describe('Production refuses plain http here (passwords travel on it) unless the network is declared trusted.'),
    listPageSize: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe('Users per page when a bulk import reads `GET /users?after=…&limit=…`.'),
    disabledField: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A field of the profiles `GET /users` returns that is true (1, "Y" …) for a disabled or locked account. The ' +
          'contract has none, so without it a password reset cannot create accounts of users not yet migrated.',
      ),
  })
  .describe('The legacy HTTP API: `POST /authenticate` and `GET /users/{login}` (docs/legacy-http-api.md).');

const sqlConnectorSchema = z
  .strictObject({
    ...common,
    kind: z.literal('sql'),
    url: z
      .string()
      .regex(/^(postgres(ql)?|mysql|mariadb):\/\//, 'must start with postgres://, mysql:// or mariadb://')
      .describe('`postgres://…` (pg) or `mysql://…` / `mariadb://…` (mysql2). A read-only role is enough.'),
    userQuery: z
      .string()
      .min(1)
      .describe(
        "Returns the user's row for a login (username or email), with the login as its one parameter: `$1` for " +
          'PostgreSQL, `:login` for MySQL/MariaDB (it may repeat). When several rows answer (a shared email, a ' +
          'collation that folds case), the password picks the one it matches; none or several matching is refused as ' +
          'ambiguous.',
      ),
    columns: z
      .strictObject({
        id: z.string().min(1).describe("The stable id of the record (becomes the account's legacy id)."),
        passwordHash: z.string().min(1).describe('The column holding the password hash.'),
        salt: z.string().min(1).optional().describe('A separate salt column, for the salted-* hash schemes.'),
        scheme: z
          .string()
          .min(1)
          .optional()
          .describe(
            "A column naming each row's hash scheme, for tables holding rows of several eras (`md5`, `sha1`, " +
              '`bcrypt`, `pbkdf2_sha256` …, read through `hash.names`); an empty or unknown name falls back to `detect`.',
          ),
        disabled: z
          .string()
          .min(1)
          .optional()
          .describe('Truthy (true, 1, "Y", "yes" …) means the account may not sign in.'),
      })
      .describe('Which columns of the `userQuery` row hold the id, the hash and its companions.'),
    hash: legacyHashConfigSchema
      .prefault({})
      .describe("The hash options of rows that name no scheme, and `names`: what the scheme column's values mean."),
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
      .optional()
      .describe(
        'Run after a successful migration with the legacy id as its parameter (`$1` / `:id`); a failure is only ' +
          'recorded. Give it as `{ "query": …, "url": … }` to run it on its own connection as its own role (least ' +
          'privilege: e.g. `GRANT SELECT (id), UPDATE (migrated_at) ON users`), so the reading role stays SELECT-only ' +
          'and the writing role never reads hashes. A plain string runs on the reading connection, which must then be ' +
          'allowed to write.',
      ),
    listQuery: z
      .string()
      .min(1)
      .optional()
      .describe(
        'For bulk import: one page of users after the last id read (its parameter, NULL at first), ordered by id, ' +
          'e.g. `SELECT … FROM users WHERE ($1::bigint IS NULL OR id > $1) ORDER BY id LIMIT 1000`.',
      ),
    countQuery: z
      .string()
      .min(1)
      .optional()
      .describe(
        'For the progress of an import or a scan: the number of users the listing will read, e.g. ' +
          '`SELECT count(*) FROM users`.',
      ),
    poolSize: z.number().int().min(1).max(100).default(4).describe('Database connections kept open.'),
    tls: z
      .strictObject({
        caFile: z
          .string()
          .min(1)
          .optional()
          .describe("PEM file of CA certificates trusted for the database's certificate."),
        rejectUnauthorized: z
          .boolean()
          .default(true)
          .describe('`false` accepts any certificate: only for a trusted private network.'),
      })
      .optional()
      .describe('TLS to the database.'),
  })
  .describe('A PostgreSQL, MySQL or MariaDB table read directly; the IdP verifies the legacy hashes itself.');

const ldapConnectorSchema = z
  .strictObject({
    ...common,
    kind: z.literal('ldap'),
    url: z
      .string()
      .regex(/^ldaps?:\/\//, 'must start with ldap:// or ldaps://')
      .describe('`ldaps://host:636` or `ldap://host:389` (with `startTls`).'),
    startTls: z.boolean().default(false).describe('Upgrade an `ldap://` connection to TLS before binding.'),
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file of CA certificates trusted for the directory's certificate."),
    bindDn: z
      .string()
      .min(1)
      .describe('The service account that finds users; it needs search rights, not password read rights.'),
    bindPassword: z.string().min(1).describe("The service account's password; give it from the environment."),
    searchBase: z.string().min(1).describe('Where users are searched, e.g. `ou=people,dc=example,dc=com`.'),
    searchFilter: z
      .string()
      .includes('{login}')
      .default('(|(uid={login})(mail={login}))')
      .describe('`{login}` is replaced by the login, escaped (RFC 4515).'),
    scope: z.enum(['sub', 'one']).default('sub').describe('The whole subtree under `searchBase`, or one level.'),
    attributes: z
      .array(z.string().min(1))
      .default(['uid', 'mail', 'cn', 'givenName', 'sn', 'displayName', 'memberOf', 'entryUUID'])
      .describe('Attributes that become the legacy profile (plus `dn`).'),
    idAttribute: z
      .string()
      .min(1)
      .default('entryUUID')
      .describe('The stable id: `entryUUID` (OpenLDAP), `objectGUID` (Active Directory), or any unique attribute.'),
    listFilter: z
      .string()
      .min(1)
      .default('(objectClass=inetOrgPerson)')
      .describe('Which entries a bulk import reads (under `searchBase`).'),
    disabledFilter: z
      .string()
      .min(1)
      .optional()
      .describe("Evaluated by the directory on the user's entry after a successful bind; a match means disabled."),
    allowInsecureTransport: z
      .boolean()
      .default(false)
      .describe(
        'Production refuses `ldap://` without `startTls` (passwords travel on it) unless the network is trusted.',
      ),
    groups: z
      .strictObject({
        searchBase: z.string().min(1).optional().describe('Where groups are searched; default: `searchBase`.'),
        scope: z.enum(['sub', 'one']).default('sub').describe('The whole subtree, or one level.'),
        filter: z
          .string()
          .includes('{dn}')
          // Parenthesized, so that nested levels can OR several of them into one search.
          .regex(/^\(.*\)$/s, 'must be a filter in parentheses')
          .default(
            '(|(&(objectClass=groupOfNames)(member={dn}))(&(objectClass=groupOfUniqueNames)(uniqueMember={dn})))',
          )
          .describe(
            "The groups an entry is a direct member of; `{dn}` is replaced by the member's DN, escaped (RFC 4515).",
          ),
        nameAttribute: z
          .string()
          .min(1)
          .default('cn')
          .describe("The attribute naming a group in the profile (every value of it); `dn` for the group's DN."),
        profileField: z
          .string()
          .min(1)
          .refine((field) => field !== 'dn', 'dn is the entry’s DN in the profile')
          .default('groups')
          .describe('The profile field the names go into; it replaces a directory attribute of the same name.'),
        nested: z
          .boolean()
          .default(false)
          .describe('Follows group-in-group membership here (breadth first, cycle-safe), for directories that cannot.'),
        maxDepth: z
          .number()
          .int()
          .min(1)
          .max(64)
          .default(10)
          .describe(
            'Levels above the direct groups that `nested` follows. Membership beyond this or `maxGroups` fails the ' +
              'call (a sign-in as unusable, a look-up as unavailable, an import stops) rather than give a profile ' +
              'that silently lacks groups.',
          ),
        maxGroups: z.number().int().min(1).max(100_000).default(1000).describe('Groups of one user in all.'),
      })
      .optional()
      .describe(
        'Group memberships into the profile, read with the service account (after a successful password check, and ' +
          'by look-ups and imports, so a profile is the same everywhere). The names become a list under ' +
          "`profileField` (always present, sorted), for the mapping's `roles: { path: 'groups', map: { … } }`. " +
          "Active Directory: `filter: '(member:1.2.840.113556.1.4.1941:={dn})'` (LDAP_MATCHING_RULE_IN_CHAIN) has the " +
          'directory follow nesting itself; keep `nested: false` then (untested here: no AD server exists in the ' +
          'tests). Cost: one search per user (plus one per nesting level with `nested`), in imports too; index ' +
          'member and uniqueMember for equality.',
      ),
    hashReader: z
      .strictObject({
        bindDn: z.string().min(1).describe('The identity that may read password hashes.'),
        bindPassword: z.string().min(1).describe('Its password; give it from the environment.'),
        attribute: z
          .string()
          .min(1)
          .default('userPassword')
          .describe('The attribute holding RFC 2307 `{SCHEME}…` hash values.'),
      })
      .optional()
      .describe(
        'An identity that may read password hashes, used only to list users for an import or its pre-flight scan ' +
          '(never for a sign-in or a look-up): the listing binds as it and keeps `attribute` as each record’s legacy ' +
          'hash. Give it the service account’s read rights plus read on `attribute`. Without it, imported directory ' +
          'users must reset their password.',
      ),
  })
  .describe('An LDAP directory or Active Directory: users are found with a service account, then bound as.');

const moduleConnectorSchema = z
  .strictObject({
    ...common,
    kind: z.literal('module'),
    path: z
      .string()
      .min(1)
      .describe('A JS/TS module exporting `authenticate(login, password, context)` and `findUser(login, context)`.'),
    options: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Passed to the module as `context.options` (connection strings, flags).'),
  })
  .describe('Your own code, for a legacy system none of the other kinds reaches.');

export const legacySchema = z
  .discriminatedUnion('kind', [httpConnectorSchema, sqlConnectorSchema, ldapConnectorSchema, moduleConnectorSchema])
  .describe('The legacy system to migrate from: one connector, chosen by `kind`; absent means demo mode.');
export type LegacyConfig = z.infer<typeof legacySchema>;
export type HttpConnectorConfig = z.infer<typeof httpConnectorSchema>;
export type SqlConnectorConfig = z.infer<typeof sqlConnectorSchema>;
export type LdapConnectorConfig = z.infer<typeof ldapConnectorSchema>;
export type ModuleConnectorConfig = z.infer<typeof moduleConnectorSchema>;
