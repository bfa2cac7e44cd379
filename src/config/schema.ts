import { z } from 'zod';
import { WEBHOOK_EVENT_NAMES } from '../webhooks/webhook-events.js';
import { legacySchema } from './legacy-schema.js';

/**
 * The whole configuration of the IdP: every option, its default and what it means lives here and nowhere else.
 * Values come from these defaults, then the JSON file (`IDP_CONFIG` or `config/idp.json`), then environment variables
 * (see `load-config.ts`). Any string in the file may be `"${NAME}"` to read a secret from the environment.
 */

const seconds = z.number().int().positive();
const rateRule = (limit: number, windowSeconds: number) =>
  z
    .strictObject({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1) })
    .default({ limit, windowSeconds });

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
  /** The stable identifier of the legacy record; never shown to clients (`sub` is the IdP's own id). */
  legacyId: fieldSourceSchema,
  username: fieldSourceSchema,
  email: fieldSourceSchema.optional(),
  emailVerified: fieldSourceSchema.optional(),
  name: fieldSourceSchema.optional(),
  givenName: fieldSourceSchema.optional(),
  familyName: fieldSourceSchema.optional(),
  roles: rolesSourceSchema.optional(),
});
export type Mapping = z.infer<typeof mappingSchema>;

export { legacySchema, type LegacyConfig } from './legacy-schema.js';

/** A client in oidc-provider's metadata format, plus `first_party` to skip the consent page. */
const clientSchema = z.looseObject({
  client_id: z.string().min(1),
  client_name: z.string().optional(),
  first_party: z.boolean().optional(),
});
export type ClientConfig = z.infer<typeof clientSchema>;

const resourceServerSchema = z.strictObject({
  /** Space-separated scopes this API accepts. */
  scope: z.string().min(1),
  audience: z.string().min(1).optional(),
  accessTokenFormat: z.enum(['jwt', 'opaque']).default('jwt'),
  accessTokenTTL: seconds.optional(),
});

export const configSchema = z
  .strictObject({
    /** The issuer identifier clients see; production requires an explicit https value. Default: http://localhost:<port>. */
    issuer: z.url({ protocol: /^https?$/ }).optional(),
    port: z.number().int().min(0).max(65535).default(3000),
    /** Interface to listen on; unset listens on all. */
    host: z.string().min(1).optional(),
    /** Shown on every hosted page. */
    productName: z.string().min(1).default('JIT Identity'),
    /** Honour X-Forwarded-* from a TLS-terminating proxy in front of the IdP. */
    trustProxy: z.boolean().default(false),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Processes serving requests on the one port (node:cluster): "auto" is one per CPU core. They share the store
     * like any other instances, and the password-hashing threads are divided between them. Demo mode runs one.
     */
    workers: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).default(1),

    store: z
      .strictObject({
        /** Set (or `MONGODB_URI`) to use MongoDB; otherwise the embedded SQLite file below is used. */
        mongodbUri: z.string().min(1).optional(),
        mongodbDatabase: z.string().min(1).optional(),
        sqlitePath: z.string().min(1).default('data/idp.sqlite'),
        /** How long a write waits for another process's write lock before the request gets a 503 to retry. */
        sqliteBusyTimeoutMs: z.number().int().min(0).max(60_000).default(5000),
      })
      .prefault({}),

    cookies: z
      .strictObject({
        /** Signing keys for cookies, newest first; when absent they are generated once and kept in the store. */
        keys: z.array(z.string().min(32, 'cookie keys need at least 32 characters')).min(1).optional(),
      })
      .prefault({}),

    passwords: z
      .strictObject({
        bcryptCost: z.number().int().min(10).max(15).default(10),
        /** Worker threads hashing and verifying passwords; 0 means one per CPU core. */
        hashingThreads: z.number().int().min(0).max(64).default(0),
        minLength: z.number().int().min(8).max(64).default(8),
        /**
         * At a sign-in with a password the policy would refuse now (short, common: in practice a migrated legacy
         * one), ask for a new one before continuing, at every sign-in until it is changed. Never a refusal:
         * migration must not lock anyone out.
         */
        requireChangeOfWeakLegacyPasswords: z.boolean().default(false),
      })
      .prefault({}),

    /** The legacy system to migrate from; absent means demo mode (refused in production). */
    legacy: legacySchema.optional(),

    migration: z
      .strictObject({
        mapping: mappingSchema.default({
          legacyId: 'id',
          username: 'username',
          email: 'email',
          emailVerified: 'email_verified',
          name: 'name',
          givenName: 'given_name',
          familyName: 'family_name',
          roles: 'roles',
        }),
        /** A JS/TS module whose default export refines the mapped profile: `(mapped, legacyProfile) => mapped`. */
        transformModule: z.string().min(1).optional(),
        emailRequired: z.boolean().default(true),
        /** Stops every call to the legacy system for good (the console can record the same switch). */
        cutOff: z.boolean().default(false),
        /**
         * How long a first sign-in waits for another attempt's legacy check of the same login (a double submit,
         * another tab, another process) before it asks the legacy system itself. Waiting only saves legacy calls: the
         * account's unique indexes keep the outcome right either way. A minute covers the legacy call and a hashing
         * queue of a thousand simultaneous first sign-ins on two cores.
         */
        singleFlightMaxWaitMs: z.number().int().min(100).max(600_000).default(60_000),
        /**
         * A legacy user renamed in the legacy system (same legacy id, new username or email) signs in to the account
         * already migrated; these say whether its local username / email follow the new legacy values.
         */
        followRenames: z
          .strictObject({ username: z.boolean().default(false), email: z.boolean().default(false) })
          .prefault({}),
      })
      .prefault({}),

    clients: z.array(clientSchema).default([]),
    /** APIs that receive JWT access tokens when a client asks for them with the `resource` parameter. */
    resourceServers: z.record(z.url(), resourceServerSchema).default({}),

    ttl: z
      .strictObject({
        accessToken: seconds.default(3600),
        idToken: seconds.default(3600),
        refreshToken: seconds.default(14 * 24 * 3600),
        authorizationCode: seconds.default(60),
        interaction: seconds.default(3600),
        session: seconds.default(14 * 24 * 3600),
        grant: seconds.default(14 * 24 * 3600),
      })
      // A refresh token cannot outlive the grant it was issued under.
      .refine((ttl) => ttl.grant >= ttl.refreshToken, {
        message: 'grant must be at least refreshToken',
        path: ['grant'],
      })
      .prefault({}),

    mail: z
      .strictObject({
        /** SMTP server for password reset mail, e.g. `smtps://user:${SMTP_PASSWORD}@smtp.example.com`. Without one
         * (development, demo), mail is kept in memory and shown on /dev/outbox; production requires it. */
        smtpUrl: z
          .string()
          .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
          .optional(),
        from: z.string().min(3).default('JIT Identity <no-reply@localhost>'),
        /** Keep mail on /dev/outbox instead of sending it (demo mode sets it): anyone can read it, never in production. */
        outbox: z.boolean().default(false),
      })
      .prefault({}),

    passwordReset: z
      .strictObject({
        /** How long a reset link works. */
        ttlSeconds: z.number().int().min(60).max(86_400).default(1800),
      })
      .prefault({}),

    admin: z
      .strictObject({
        /**
         * Accounts with any of these roles may use the console and the admin API. Roles come from the legacy
         * mapping: pick one only operators of this IdP have (not, say, every admin of the old application).
         */
        roles: z.array(z.string().min(1)).default([]),
        /** Further operators by account id (`sub`): ids are never reused or chosen by users, names could be. */
        accountIds: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),

    /**
     * Rate limits (sliding windows, counted in the store, the same for every login whether it is unknown, not yet
     * migrated or migrated): past half a limit answers slow down progressively, past a blocking limit they are
     * refused (HTTP 429) with the same neutral message. Sign-ins are limited by their failures, so the rightful
     * user's successes, double submits and bursts never count against anyone.
     */
    rateLimits: z
      .strictObject({
        enabled: z.boolean().default(true),
        /**
         * Refused sign-ins of one login from one address: the guesser's own door. Past the limit that pair (and only
         * that pair) is refused; a successful sign-in from the pair clears it.
         */
        signInFailuresPerPair: rateRule(10, 900),
        /**
         * Refused sign-ins of one login from anywhere: only slowed down, never refused (up to `maxLoginDelayMs`), so
         * strangers spread over many addresses cannot lock a user out, yet cannot guess at full speed either.
         */
        signInFailuresPerLogin: rateRule(20, 900),
        /**
         * Refused sign-ins from one address, whatever the logins (password spraying): generous, since an office is
         * one address, then slowed and refused.
         */
        signInFailuresPerAddress: rateRule(200, 900),
        /** Sign-in attempts from one address, whatever their outcome: a bound on abuse far above an office's rush. */
        signInPerAddress: rateRule(3000, 900),
        signUpPerIp: rateRule(10, 3600),
        signUpPerLogin: rateRule(5, 3600),
        resetPerIp: rateRule(10, 3600),
        resetPerLogin: rateRule(3, 3600),
        maxDelayMs: z.number().int().min(0).max(30_000).default(8000),
        /** The most the per-login slowdown makes anyone wait, the rightful user included. */
        maxLoginDelayMs: z.number().int().min(0).max(30_000).default(3000),
      })
      .prefault({}),

    /**
     * Refused sign-ins held to one adaptive floor so their timing does not tell a migrated user's wrong password from
     * an unknown login or one the legacy system rejected (src/security/failure-timing.ts).
     */
    failedSignInTiming: z
      .strictObject({
        enabled: z.boolean().default(true),
        maxFloorMs: z.number().int().min(0).max(30_000).default(2000),
      })
      .prefault({}),

    /** Subscribers told of events by signed HTTP POSTs (see README, "Webhooks"). */
    webhooks: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[\w-]{1,64}$/, 'letters, digits, _ and - only'),
          url: z.url({ protocol: /^https?$/ }),
          /** Signs every body (HMAC-SHA256); give it from the environment. */
          secret: z.string().min(16),
          events: z.array(z.enum(WEBHOOK_EVENT_NAMES)).min(1).default(['user.migrated']),
          maxAttempts: z.number().int().min(1).max(50).default(12),
          initialDelayMs: z.number().int().min(10).default(5000),
          // Well under the 60 s delivery lease, so a slow subscriber never gets one delivery twice at once.
          timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
        }),
      )
      .default([])
      .refine((hooks) => new Set(hooks.map((h) => h.id)).size === hooks.length, 'webhook ids must be unique'),

    metrics: z
      .strictObject({
        /**
         * `/metrics` (Prometheus) is not public by default: with a bearer token it is served on the IdP's port to a
         * scraper that sends `Authorization: Bearer <token>`; with `port` it is served on a listener of its own
         * (for a scraper on a private network); with neither, it is not served at all.
         */
        bearerToken: z.string().min(16).optional(),
        port: z.number().int().min(0).max(65535).optional(),
        /** Where the metrics listener listens: loopback unless the scraper is elsewhere. */
        host: z.string().min(1).default('127.0.0.1'),
      })
      .prefault({}),

    demo: z
      .strictObject({
        legacyPort: z.number().int().min(0).max(65535).default(3001),
        appPort: z.number().int().min(0).max(65535).default(3002),
      })
      .prefault({}),
  })
  // Defaults that depend on other values.
  .transform((config) => ({ ...config, issuer: config.issuer ?? `http://localhost:${config.port}` }));

export type Config = z.infer<typeof configSchema>;
