import { z } from 'zod';
import { legacySchema } from './legacy-schema.js';
import { WEBHOOK_EVENT_NAMES } from './webhook-event-names.js';
import { legacyTotpSchema } from './legacy-totp-schema.js';

/**
 * The whole configuration of the IdP: every option, its default and what it means lives here and nowhere else.
 * Values come from these defaults, then the JSON file (`IDP_CONFIG` or `config/idp.json`), then environment variables
 * (see `load-config.ts`). Any string in the file may be `"${NAME}"` to read a secret from the environment.
 */

const seconds = z.number().int().positive();
const rateRule = (limit: number, windowSeconds: number, description: string) =>
  z
    .strictObject({
      limit: z.number().int().min(1).describe('Counted events allowed within the window.'),
      windowSeconds: z.number().int().min(1).describe('The sliding window, in seconds.'),
    })
    .default({ limit, windowSeconds })
    .describe(description);

/** Where one account field comes from in a legacy profile. */
export const fieldSourceSchema = z.union([
  /** A dot path into the legacy profile, e.g. `"mail"` or `"names.0.given"`. */
  z.string().min(1),
  z.strictObject({ path: z.string().min(1), default: z.unknown().optional() }),
  /** `{first} {last}`: each `{path}` is replaced by that value; missing values become empty. */
  z.strictObject({ template: z.string().min(1) }),
  z.strictObject({ const: z.unknown() }),
]);
export type FieldSource = z.infer<typeof fieldSourceSchema>;

export const rolesSourceSchema = z.union([
  fieldSourceSchema,
  /** Legacy role names renamed through `map`; unmapped names are dropped unless `keepUnmapped`. */
  z.strictObject({
    path: z.string().min(1),
    map: z.record(z.string(), z.string()),
    keepUnmapped: z.boolean().default(false),
  }),
]);
export type RolesSource = z.infer<typeof rolesSourceSchema>;

export const mappingSchema = z.strictObject({
  legacyId: fieldSourceSchema.describe(
    "The stable identifier of the legacy record; never shown to clients (`sub` is the IdP's own id).",
  ),
  username: fieldSourceSchema.describe('The local username (`preferred_username`).'),
  email: fieldSourceSchema.optional().describe('The email address (`email`).'),
  emailVerified: fieldSourceSchema
    .optional()
    .describe('Whether the email is verified (`email_verified`); truthy legacy values such as "Y" count as true.'),
  name: fieldSourceSchema.optional().describe('The full name (`name`).'),
  givenName: fieldSourceSchema.optional().describe('The given name (`given_name`).'),
  familyName: fieldSourceSchema.optional().describe('The family name (`family_name`).'),
  roles: rolesSourceSchema
    .optional()
    .describe('Roles (`roles`), optionally renamed through `map`; unmapped names are dropped unless `keepUnmapped`.'),
  totpSecret: fieldSourceSchema
    .optional()
    .describe(
      "The legacy user's TOTP secret (at least 10 bytes; base32 unless `migration.legacyTotp` says otherwise), if the legacy system had two-step verification: " +
        'the account gets it as its authenticator app (sealed like one set up here) and the first sign-in asks ' +
        'for a code. Not an account field; never logged. A secret the legacy store keeps encrypted is decrypted ' +
        'with `migration.legacyTotp.encryption`, or by the transform module (it may set `totpSecret`). How it is ' +
        'written: `migration.legacyTotp.encoding`. An unusable value: migrated without it, and the ' +
        '`migrated` event says `totp: "invalid_secret"`.',
    ),
});
export type Mapping = z.infer<typeof mappingSchema>;

export { legacySchema, type LegacyConfig } from './legacy-schema.js';

/**
 * A client in oidc-provider's metadata format, plus `first_party` to skip the consent page and `require_mfa` to
 * require a second factor at every sign-in.
 */
const clientSchema = z.looseObject({
  client_id: z.string().min(1).describe('The client identifier.'),
  client_name: z.string().optional().describe('The name the hosted pages show for the client.'),
  require_verified_email: z
    .boolean()
    .optional()
    .describe(
      'No token for an account whose email address is not confirmed: after signing in, the user is asked to open ' +
        'the link mailed to them (and can have it sent again), then continues.',
    ),
  logo_uri: z
    .url({ protocol: /^https$/ })
    .optional()
    .describe("The client's logo (https), shown on the hosted pages while a user signs in to it."),
  accent_color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'an accent colour is #rrggbb')
    .optional()
    .describe("The hosted pages' accent colour (buttons, links) while a user signs in to this client."),
  first_party: z.boolean().optional().describe('Skips the consent page (an application of the same operator).'),
  require_mfa: z
    .boolean()
    .optional()
    .describe(
      'Every sign-in at this client ends with a second factor: an account without one sets up an authenticator ' +
        'app during the sign-in, and a session signed in with a password alone is asked again. Its ID tokens ' +
        'say `acr` `urn:jit-idp:acr:mfa` (docs/second-factors.md).',
    ),
});
export type ClientConfig = z.infer<typeof clientSchema>;

const resourceServerSchema = z.strictObject({
  scope: z.string().min(1).describe('Space-separated scopes this API accepts.'),
  audience: z.string().min(1).optional().describe("The access token's `aud`; default: the API's URL."),
  accessTokenFormat: z.enum(['jwt', 'opaque']).default('jwt').describe('JWT access tokens, or opaque ones.'),
  accessTokenTTL: seconds
    .optional()
    .describe('Access token lifetime in seconds for this API; default: `ttl.accessToken`.'),
});

/** Key-encryption keys: what seals every secret the store keeps (`secretKeys`). */
const secretKeysSchema = z
  .array(
    z.strictObject({
      id: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,32}$/, 'a key id is 1 to 32 letters, digits, "_" or "-"')
        .describe('Names the key inside each sealed value, so an older key can still open what it sealed.'),
      key: z
        .string()
        .refine((text) => Buffer.from(text, 'base64').length === 32, 'must be 32 random bytes in base64')
        .describe('32 random bytes, base64 (`openssl rand -base64 32`).'),
    }),
  )
  .min(1);

export const configSchema = z
  .strictObject({
    issuer: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'The issuer identifier clients see; production requires an explicit https value. Default: ' +
          '`http://localhost:<port>`.',
      ),
    port: z.number().int().min(0).max(65535).default(3000).describe('The port the IdP listens on.'),
    host: z.string().min(1).optional().describe('Interface to listen on; unset listens on all.'),
    productName: z.string().min(1).default('JIT Identity').describe('Shown on every hosted page.'),
    trustProxy: z
      .boolean()
      .default(false)
      .describe('Honour `X-Forwarded-*` from a TLS-terminating proxy in front of the IdP.'),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('The least severe log level written (pino, JSON lines on stdout).'),
    workers: z
      .union([z.literal('auto'), z.number().int().min(1).max(256)])
      .default(1)
      .describe(
        'Processes serving requests on the one port (node:cluster): "auto" is one per CPU core. They share the ' +
          'store like any other instances, and the password-hashing threads are divided between them. Demo mode ' +
          'runs one.',
      ),

    store: z
      .strictObject({
        mongodbUri: z
          .string()
          .min(1)
          .optional()
          .describe('Set (or `MONGODB_URI`) to use MongoDB. Not together with `databaseUrl`.'),
        mongodbDatabase: z.string().min(1).optional().describe("The MongoDB database; default: the URI's."),
        databaseUrl: z
          .url({ protocol: /^postgres(ql)?$/ })
          .optional()
          .describe(
            'Set (or `DATABASE_URL`) to use PostgreSQL: `postgres://user:password@host:5432/database`, with any ' +
              "of libpq's parameters pg reads (`?sslmode=require`). The schema is created and migrated at start. " +
              'Not together with `mongodbUri`.',
          ),
        postgresPoolSize: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(10)
          .describe(
            'Connections each IdP process keeps to PostgreSQL at most; the server must allow this many times the ' +
              'number of processes (`max_connections`).',
          ),
        postgresStatementTimeoutMs: z
          .number()
          .int()
          .min(100)
          .max(600_000)
          .default(5000)
          .describe(
            'PostgreSQL cancels a statement running longer (`statement_timeout`), and the request gets a 503 to ' +
              'retry instead of waiting on.',
          ),
        sqlitePath: z
          .string()
          .min(1)
          .default('data/idp.sqlite')
          .describe('The embedded store, used when neither PostgreSQL nor MongoDB is configured.'),
        sqliteBusyTimeoutMs: z
          .number()
          .int()
          .min(0)
          .max(60_000)
          .default(5000)
          .describe("How long a write waits for another process's write lock before the request gets a 503 to retry."),
      })
      .refine((store) => store.databaseUrl === undefined || store.mongodbUri === undefined, {
        message:
          'both PostgreSQL (databaseUrl / DATABASE_URL) and MongoDB (mongodbUri / MONGODB_URI) are set: choose one store',
        path: ['databaseUrl'],
      })
      .prefault({})
      .describe('Where accounts, sessions, keys and events are kept: PostgreSQL, MongoDB, or an embedded SQLite file.'),

    secretKeys: secretKeysSchema
      .optional()
      .describe(
        'Keys that encrypt every secret the store keeps (AES-256-GCM): token signing keys, generated cookie and ' +
          'CSRF keys, TOTP secrets. Newest first: the first seals, every one opens, and whatever an older key ' +
          'sealed is sealed anew under the first, so an old key can leave once the IdP has run with the new one ' +
          '(docs/keys.md). Also IDP_SECRET_KEYS (`id:base64,…`). When absent, one is generated and kept in the ' +
          'store itself, which protects nothing against a copy of the store: production requires them.',
      ),
    signingKeys: z
      .strictObject({
        rotationDays: z
          .number()
          .min(0)
          .max(3650)
          .default(90)
          .describe('Days between scheduled rotations of the token signing keys; 0: only on demand (admin API).'),
        publicationLeadSeconds: z
          .number()
          .int()
          .min(2)
          .max(30 * 86_400)
          .default(3600)
          .describe(
            'How long a new signing key is in the JWKS before it signs anything. The JWKS may be cached for ' +
              'half of it (its Cache-Control), so a relying party that caches it has the new key in time.',
          ),
      })
      .prefault({})
      .describe(
        'Token signing keys: rotated on a schedule and on demand; a replaced key stays published until the ' +
          'last token it signed has expired.',
      ),
    cookies: z
      .strictObject({
        keys: z
          .array(z.string().min(32, 'cookie keys need at least 32 characters'))
          .min(1)
          .optional()
          .describe(
            'Signing keys for cookies, newest first, 32+ characters each; when absent they are generated once and ' +
              'kept in the store (production requires them).',
          ),
      })
      .prefault({})
      .describe('Cookie signing.'),

    passwords: z
      .strictObject({
        bcryptCost: z.number().int().min(10).max(15).default(10).describe('The bcrypt cost of the IdP’s own hashes.'),
        hashingThreads: z
          .number()
          .int()
          .min(0)
          .max(64)
          .default(0)
          .describe('Worker threads hashing and verifying passwords (bcrypt and legacy); 0 means one per CPU core.'),
        minLength: z
          .number()
          .int()
          .min(8)
          .max(64)
          .default(8)
          .describe('The shortest new password (sign-up, reset, forced change).'),
        requireChangeOfWeakLegacyPasswords: z
          .boolean()
          .default(false)
          .describe(
            'At a sign-in with a password the policy would refuse now (short, common: in practice a migrated legacy ' +
              'one), ask for a new one before continuing, at every sign-in until it is changed. Never a refusal: ' +
              'migration must not lock anyone out.',
          ),
      })
      .prefault({})
      .describe('The IdP’s own password hashing and policy.'),

    mfa: z
      .strictObject({
        encryptionKeys: secretKeysSchema
          .optional()
          .describe('The former name of `secretKeys` (and IDP_MFA_KEYS of IDP_SECRET_KEYS), still read.'),
        recentSignInSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400)
          .default(600)
          .describe(
            'How recent a sign-in must be to change sign-in methods on /account/security (set up or remove an ' +
              'app, new recovery codes, add or remove a passkey); older sessions sign in again first.',
          ),
        totpIssuer: z
          .string()
          .min(1)
          .optional()
          .describe('The name authenticator apps show beside the account; default: `productName`.'),
        offerPasskeyAfterSignIn: z
          .boolean()
          .default(true)
          .describe(
            'At the end of a password sign-in (the migrating one and every later one), offer an account without a ' +
              'passkey to add one, until it does or the user says not to ask again. Only where passkeys work: an ' +
              'issuer with a domain name, a browser with WebAuthn.',
          ),
      })
      .prefault({})
      .describe('Second factors: TOTP authenticator apps, recovery codes and passkeys.'),

    legacy: legacySchema
      .optional()
      .describe('The legacy system to migrate from; absent means demo mode (refused in production).'),

    migration: z
      .strictObject({
        mapping: mappingSchema
          .default({
            legacyId: 'id',
            username: 'username',
            email: 'email',
            emailVerified: 'email_verified',
            name: 'name',
            givenName: 'given_name',
            familyName: 'family_name',
            roles: 'roles',
          })
          .describe(
            'Legacy profile → account: each account field from a dot path (`"mail"`, `"names.0.given"`), ' +
              '`{ "path", "default" }`, `{ "template": "{first} {last}" }` or `{ "const": … }`.',
          ),
        transformModule: z
          .string()
          .min(1)
          .optional()
          .describe(
            'A JS/TS module whose default export refines the mapped profile: `(mapped, legacyProfile) => mapped`.',
          ),
        legacyTotp: legacyTotpSchema.describe(
          'How the legacy store writes the TOTP secrets `mapping.totpSecret` reads (after any transform module).',
        ),
        emailRequired: z
          .boolean()
          .default(true)
          .describe('Every account needs an email address: a legacy profile without a valid one cannot migrate.'),
        cutOff: z
          .boolean()
          .default(false)
          .describe('Stops every call to the legacy system for good (the console can record the same switch).'),
        singleFlightMaxWaitMs: z
          .number()
          .int()
          .min(100)
          .max(600_000)
          .default(60_000)
          .describe(
            "How long a first sign-in waits for another attempt's legacy check of the same login (a double submit, " +
              'another tab, another process) before it asks the legacy system itself. Waiting only saves legacy ' +
              "calls: the account's unique indexes keep the outcome right either way.",
          ),
        followRenames: z
          .strictObject({
            username: z.boolean().default(false).describe('The local username follows a legacy rename.'),
            email: z.boolean().default(false).describe('The local email follows a legacy change.'),
          })
          .prefault({})
          .describe(
            'A user renamed in the legacy system (same legacy id, new username or email) signs in to the account ' +
              'already migrated; these say whether its local username / email follow the new legacy values.',
          ),
      })
      .prefault({})
      .describe('How legacy users become accounts, and how the migration ends.'),

    clients: z
      .array(clientSchema)
      .default([])
      .describe(
        "The client applications, in oidc-provider's client metadata format (`redirect_uris`, `client_secret`, " +
          '`grant_types`, `default_acr_values` …; any other metadata key is passed through), plus `first_party` ' +
          'and `require_mfa`. A client with `backchannel_logout_uri` is told of every sign-out (OpenID Connect ' +
          'Back-Channel Logout 1.0).',
      ),
    privateNetworkOrigins: z
      .array(z.url().transform((url) => new URL(url).origin))
      .default([])
      .describe(
        'Origins of relying parties on private or loopback addresses the IdP may call (back-channel logout): ' +
          'otherwise calls to such addresses are refused, as protection against server-side request forgery.',
      ),
    resourceServers: z
      .record(z.url(), resourceServerSchema)
      .default({})
      .describe('APIs that receive JWT access tokens when a client asks for them with the `resource` parameter.'),

    ttl: z
      .strictObject({
        accessToken: seconds.default(3600).describe('Access token lifetime.'),
        idToken: seconds.default(3600).describe('ID token lifetime.'),
        refreshToken: seconds.default(14 * 24 * 3600).describe('Refresh token lifetime (rotated on every use).'),
        authorizationCode: seconds.default(60).describe('Authorization code lifetime.'),
        interaction: seconds.default(3600).describe('How long a sign-in on the hosted pages may take.'),
        session: seconds.default(14 * 24 * 3600).describe('Single sign-on session lifetime.'),
        grant: seconds.default(14 * 24 * 3600).describe('Grant lifetime; at least `refreshToken`.'),
      })
      // A refresh token cannot outlive the grant it was issued under.
      .refine((ttl) => ttl.grant >= ttl.refreshToken, {
        message: 'grant must be at least refreshToken',
        path: ['grant'],
      })
      .prefault({})
      .describe('Lifetimes, in seconds.'),

    mail: z
      .strictObject({
        smtpUrl: z
          .string()
          .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
          .optional()
          .describe(
            'SMTP server for password reset mail, e.g. `smtps://user:${SMTP_PASSWORD}@smtp.example.com`. Without ' +
              'one (development, demo), mail is kept in memory and shown on /dev/outbox; production requires it.',
          ),
        from: z.string().min(3).default('JIT Identity <no-reply@localhost>').describe('The sender of every mail.'),
        outbox: z
          .boolean()
          .default(false)
          .describe(
            'Keep mail on /dev/outbox instead of sending it (demo mode sets it): anyone can read it, never in ' +
              'production.',
          ),
      })
      .prefault({})
      .describe('Password reset mail.'),

    emailVerification: z
      .strictObject({
        ttlSeconds: z
          .number()
          .int()
          .min(60)
          .max(7 * 86_400)
          .default(86_400)
          .describe('How long a link confirming an email address works.'),
        mailNewAccounts: z
          .boolean()
          .default(true)
          .describe(
            'Mail the link to every new account (a migration, a sign-up) whose address is not verified; the user ' +
              'can ask for it again on their account page either way.',
          ),
      })
      .prefault({})
      .describe('Confirming email addresses: `email_verified` turns true when the link mailed to the address is used.'),

    passwordReset: z
      .strictObject({
        ttlSeconds: z.number().int().min(60).max(86_400).default(1800).describe('How long a reset link works.'),
      })
      .prefault({})
      .describe('Password reset, also for users not yet migrated.'),

    admin: z
      .strictObject({
        roles: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'Accounts with any of these roles may use the console and the admin API. Roles come from the legacy ' +
              'mapping: pick one only operators of this IdP have (not, say, every admin of the old application).',
          ),
        accountIds: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'Further operators by account id (`sub`): ids are never reused or chosen by users, names could be.',
          ),
      })
      .prefault({})
      .describe('Who operates the migration: the console (/admin) and the admin API.'),

    rateLimits: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Switches every rate limit on or off.'),
        signInFailuresPerPair: rateRule(
          10,
          900,
          "Refused sign-ins of one login from one address: the guesser's own door. Past the limit that pair (and only " +
            'that pair) is refused; a successful sign-in from the pair clears it.',
        ),
        signInFailuresPerLogin: rateRule(
          20,
          900,
          'Refused sign-ins of one login from anywhere: only slowed down, never refused (up to `maxLoginDelayMs`), so ' +
            'strangers spread over many addresses cannot lock a user out, yet cannot guess at full speed either.',
        ),
        signInFailuresPerAddress: rateRule(
          200,
          900,
          'Refused sign-ins from one address, whatever the logins (password spraying): generous, since an office is ' +
            'one address, then slowed and refused.',
        ),
        signInPerAddress: rateRule(
          3000,
          900,
          "Sign-in attempts from one address, whatever their outcome: a bound on abuse far above an office's rush.",
        ),
        secondFactorFailuresPerAccount: rateRule(
          10,
          900,
          'Wrong second-factor codes for one account, from anywhere: past the limit the second step is refused until ' +
            'the window passes. Only someone who already has the password gets this far, and a 6-digit code must ' +
            'not be guessable at any speed: the rightful user still has their recovery codes after it.',
        ),
        signUpPerIp: rateRule(10, 3600, 'Sign-ups from one address.'),
        signUpPerLogin: rateRule(5, 3600, 'Sign-up attempts for one username or email.'),
        resetPerIp: rateRule(10, 3600, 'Password reset requests from one address.'),
        resetPerLogin: rateRule(3, 3600, 'Password reset requests for one login.'),
        maxDelayMs: z
          .number()
          .int()
          .min(0)
          .max(30_000)
          .default(8000)
          .describe('The longest delay of the progressive slowdown (250 ms, doubling) past half a limit.'),
        maxLoginDelayMs: z
          .number()
          .int()
          .min(0)
          .max(30_000)
          .default(3000)
          .describe('The most the per-login slowdown makes anyone wait, the rightful user included.'),
      })
      .prefault({})
      .describe(
        'Rate limits (sliding windows, counted in the store, the same for every login whether it is unknown, not ' +
          'yet migrated or migrated): past half a limit answers slow down progressively, past a blocking limit they ' +
          'are refused (HTTP 429) with the same neutral message. Sign-ins are limited by their failures, so the ' +
          "rightful user's successes, double submits and bursts never count against anyone.",
      ),

    failedSignInTiming: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Hold every refused sign-in to the floor.'),
        maxFloorMs: z
          .number()
          .int()
          .min(0)
          .max(30_000)
          .default(2000)
          .describe('The highest the adaptive floor may rise.'),
      })
      .prefault({})
      .describe(
        "Refused sign-ins held to one adaptive floor so their timing does not tell a migrated user's wrong " +
          'password from an unknown login or one the legacy system rejected.',
      ),

    webhooks: z
      .array(
        z.strictObject({
          id: z
            .string()
            .regex(/^[\w-]{1,64}$/, 'letters, digits, _ and - only')
            .describe('Names the subscriber; unique among them.'),
          url: z.url({ protocol: /^https?$/ }).describe('Where the signed POSTs go.'),
          secret: z.string().min(16).describe('Signs every body (HMAC-SHA256); give it from the environment.'),
          events: z
            .array(z.enum(WEBHOOK_EVENT_NAMES))
            .min(1)
            .default(['user.migrated'])
            .describe('The events this subscriber is told of.'),
          maxAttempts: z
            .number()
            .int()
            .min(1)
            .max(50)
            .default(12)
            .describe('Delivery attempts, with exponential backoff, before a delivery is given up.'),
          initialDelayMs: z.number().int().min(10).default(5000).describe('The first backoff delay.'),
          // Well under the 60 s delivery lease, so a slow subscriber never gets one delivery twice at once.
          timeoutMs: z.number().int().min(100).max(30_000).default(10_000).describe('How long one delivery may take.'),
        }),
      )
      .default([])
      .refine((hooks) => new Set(hooks.map((h) => h.id)).size === hooks.length, 'webhook ids must be unique')
      .describe('Subscribers told of events by signed HTTP POSTs (docs/operating-the-migration.md, "Webhooks").'),

    metrics: z
      .strictObject({
        bearerToken: z
          .string()
          .min(16)
          .optional()
          .describe("Serves `/metrics` on the IdP's port to a scraper that sends `Authorization: Bearer <token>`."),
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .optional()
          .describe('Serves `/metrics` on a listener of its own (for a scraper on a private network).'),
        host: z
          .string()
          .min(1)
          .default('127.0.0.1')
          .describe('Where the metrics listener listens: loopback unless the scraper is elsewhere.'),
      })
      .prefault({})
      .describe(
        '`/metrics` (Prometheus) is not public: with `bearerToken` or `port` it is served, with neither not at all.',
      ),

    demo: z
      .strictObject({
        legacyPort: z.number().int().min(0).max(65535).default(3001).describe("The demo legacy service's port."),
        appPort: z.number().int().min(0).max(65535).default(3002).describe("The demo app's port."),
      })
      .prefault({})
      .describe('Demo mode only (no `legacy` configured).'),
  })
  // Defaults that depend on other values.
  .transform((config) => ({ ...config, issuer: config.issuer ?? `http://localhost:${config.port}` }));

export type Config = z.infer<typeof configSchema>;
