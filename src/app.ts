import type { RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createEraseAccount } from './erasure/erase-account.js';
import { createLegacyTombstones, TOMBSTONE_KEY_SECRET, type LegacyTombstones } from './erasure/legacy-tombstones.js';
import { ADMIN_SCOPE, adminConsoleClient, createAdminAccess } from './admin/admin-access.js';
import { adminApiRoutes } from './admin/api-routes.js';
import { consoleRoutes } from './admin/console-routes.js';
import { accountAppsRoutes } from './account/apps-routes.js';
import { accountProfileRoutes } from './account/profile-routes.js';
import { accountSecurityRoutes } from './account/security-routes.js';
import { createAccountActions } from './admin/account-actions.js';
import { createImportJobs, type ImportJobs } from './admin/import-jobs.js';
import type Provider from 'oidc-provider';
import { createPasswordHasher, type PasswordHasher } from './passwords/password-hasher.js';
import { createRegister, type Register } from './registration/register.js';
import type { Config } from './config/schema.js';
import { createEventRecorder } from './events/recorder.js';
import { assetRoutes } from './http/assets.js';
import { brandStyles, logoOrigins } from './http/client-branding.js';
import { createCsrf } from './http/csrf.js';
import { errorHandler } from './http/error-handler.js';
import { currentLocale, localeScope, translatorFor } from './i18n/request-locale.js';
import { nonProtocolRoutes } from './http/non-protocol-routes.js';
import { securityHeaders } from './http/security-headers.js';
import { createStaticMetadata } from './http/static-metadata.js';
import { requestListener } from './server.js';
import { healthRoutes } from './http/health.js';
import { metricsListener, metricsRoutes } from './http/metrics-route.js';
import { createFragmentRenderer, createPageRenderer } from './http/pages.js';
import { requestLogging } from './http/request-context.js';
import { providerPages } from './interaction/provider-pages.js';
import { passwordResetRoutes } from './interaction/password-reset-routes.js';
import { interactionRoutes } from './interaction/routes.js';
import { signInLinks } from './interaction/sign-in-links.js';
import { outboxMailer, smtpMailer, unsentMailer, type SentMail } from './mail/mailer.js';
import { createEmailVerification, newAccountToVerify } from './email-verification/email-verification.js';
import { emailVerificationRoutes } from './email-verification/routes.js';
import { createPasswordReset } from './password-reset/password-reset.js';
import { createPasswordPolicy } from './passwords/password-policy.js';
import { openLegacySystem } from './legacy/create-connector.js';
import { createCutOffAwareLegacy, type CutOffAwareLegacy } from './legacy/cut-off-aware-legacy.js';
import type { LegacySystem } from './legacy/legacy-system.js';
import { createPasskeyOffer } from './mfa/passkey-offer.js';
import { createPasskeys } from './mfa/passkeys.js';
import { secondFactors } from './mfa/second-factor.js';
import { totpEnrolment } from './mfa/totp-enrolment.js';
import type { Logger } from './log/logger.js';
import { createMetrics } from './metrics/metrics.js';
import { equaliseFailureTiming } from './migration/failure-timing.js';
import { createRateLimiter, unlimited } from './security/rate-limiter.js';
import { signInLimits } from './security/sign-in-limits.js';
import { createWebhookDispatcher } from './webhooks/dispatcher.js';
import { createChooseLogins } from './migration/choose-logins.js';
import { createCutOff } from './migration/cut-off.js';
import { createSignIn, type SignIn } from './migration/sign-in.js';
import { createProfileTransformer } from './migration/transform.js';
import { createWeakLegacyPassword } from './migration/weak-legacy-password.js';
import { loadCookieKeys } from './oidc/keys.js';
import { createEndSessions } from './oidc/end-sessions.js';
import { providerJwks, useKeys } from './oidc/provider-keys.js';
import { jwksCacheControl, openSigningKeysFor } from './oidc/signing-keys.js';
import { openSecretBox, storeKey as sealedStoreKey } from './security/secret-keys.js';
import { createProvider } from './oidc/provider.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface IdpOptions {
  config: Config;
  logger: Logger;
  /** Labels every page; set when the legacy system is the built-in demo service. */
  demoMode?: boolean;
  /** Cache compiled templates (production). */
  cacheViews?: boolean;
  /** A store opened by the caller, which then also closes it; otherwise one is opened from config. */
  store?: Store;
}

export interface Idp {
  /** oidc-provider's Koa application with the hosted pages mounted: give `app.callback()` to an HTTP server. */
  app: Provider;
  store: Store;
  hasher: PasswordHasher;
  legacy: LegacySystem | undefined;
  cutOffAwareLegacy: CutOffAwareLegacy;
  /** Erased accounts' legacy links, under this store's key. */
  tombstones: LegacyTombstones;
  signIn: SignIn;
  register: Register;
  /** Mail kept in memory when no SMTP server is configured (demo, development). */
  outbox: readonly SentMail[] | undefined;
  /** Imports started from the console or the admin API. */
  jobs: ImportJobs;
  /** The IdP's HTTP handler: discovery and JWKS from their buffers, everything else through `app`. */
  listener: RequestListener;
  /** `/metrics` for a listener of its own (`metrics.port`). */
  metricsListener: RequestListener;
  close(): Promise<void>;
}

/** The composition root: the only place that builds the object graph from configuration. */
export async function createIdp(options: IdpOptions): Promise<Idp> {
  const { config, logger } = options;
  const hasher = await createPasswordHasher({
    cost: config.passwords.bcryptCost,
    threads: config.passwords.hashingThreads,
  });
  const store =
    options.store ?? (await openStore(config.store, logger, (filename, task) => hasher.runOnThread(filename, task)));
  const legacy = config.legacy
    ? await openLegacySystem(config.legacy, hasher, logger, (...call) => metrics.observeLegacyCall(...call))
    : undefined;
  const metrics = createMetrics({
    ...(legacy ? { legacyHealth: () => legacy.health() } : {}),
    hashQueue: () => hasher.queued,
  });
  const secretBox = await openSecretBox(config, store.secrets, logger);
  const storeKey = (name: string) => sealedStoreKey(store.secrets, secretBox, name);
  const tombstones = createLegacyTombstones(store.tombstones, await storeKey(TOMBSTONE_KEY_SECRET));
  const webhooks = createWebhookDispatcher(config.webhooks, store.webhooks, logger);
  // A new account with an unverified address gets the link to confirm it (set once the mailer exists, below); the
  // mail goes out beside the sign-in, which does not wait for it.
  let mailVerificationLink: (accountId: string) => void = () => undefined;
  const record = createEventRecorder(store.events, logger, [
    metrics.observeEvent,
    (event) => webhooks.enqueue(event),
    (event) => {
      const accountId = newAccountToVerify(event);
      if (accountId) mailVerificationLink(accountId);
    },
  ]);

  const transform = await createProfileTransformer({
    ...config.migration,
    onModuleError: (error) => logger.error({ err: error }, 'transform module failed'),
  });
  const passwordPolicy = createPasswordPolicy(config.passwords.minLength);
  const cutOffAwareLegacy = createCutOffAwareLegacy(legacy, store.settings, config.migration.cutOff);
  const { enabled: rateLimitsOn, maxDelayMs, maxLoginDelayMs, ...rules } = config.rateLimits;
  const limiter = rateLimitsOn
    ? createRateLimiter({
        rules: {
          ...rules,
          signInFailuresPerLogin: { ...rules.signInFailuresPerLogin, slowOnly: true, maxDelayMs: maxLoginDelayMs },
        },
        counters: store.counters,
        secret: await storeKey('rate-limit-key'),
        maxDelayMs,
      })
    : unlimited;
  const passkeys = createPasskeys({
    issuer: config.issuer,
    rpName: config.productName,
    accounts: store.accounts,
    factors: store.factors,
    artifacts: store.artifacts,
    record,
  });
  const mfa = secondFactors({
    factors: store.factors,
    secretBox,
    limiter,
    record,
    passkeysAvailable: passkeys.available,
  });
  // Where a legacy user's TOTP secret (`migration.mapping.totpSecret`) goes when they are adopted.
  const legacyFactors = { factors: store.factors, secretBox };
  const signInWithMigration = createSignIn({
    accounts: store.accounts,
    hasher,
    legacy: cutOffAwareLegacy,
    transform,
    record,
    singleFlight: {
      leases: store.leases,
      secret: await storeKey('lease-key'),
      leaseMs: 10_000,
      pollMs: 50,
      maxWaitMs: config.migration.singleFlightMaxWaitMs,
    },
    followRenames: config.migration.followRenames,
    tombstones,
    legacyFactors,
  });
  const signIn = observed(
    config.failedSignInTiming.enabled
      ? equaliseFailureTiming(signInWithMigration, { maxFloorMs: config.failedSignInTiming.maxFloorMs })
      : signInWithMigration,
    metrics.observeSignIn,
  );
  const register = observed(
    createRegister({
      accounts: store.accounts,
      hasher,
      legacy: cutOffAwareLegacy,
      record,
      passwordPolicy,
    }),
    metrics.observeRegistration,
  );

  const outbox = config.mail.outbox ? outboxMailer() : undefined;
  const mailer =
    outbox ?? (config.mail.smtpUrl ? smtpMailer(config.mail.smtpUrl, config.mail.from) : unsentMailer(logger));
  const emailVerification = createEmailVerification({
    accounts: store.accounts,
    artifacts: store.artifacts,
    mailer,
    record,
    // The page opens in the mail's language.
    linkFor: (token, locale) => `${config.issuer}/email/verify?token=${encodeURIComponent(token)}&lang=${locale}`,
    productName: config.productName,
    ttlSeconds: config.emailVerification.ttlSeconds,
  });
  if (config.emailVerification.mailNewAccounts) {
    mailVerificationLink = (accountId) => {
      // In the language of the page the account was made on (its sign-in or sign-up).
      const locale = currentLocale();
      void (async () => {
        const account = await store.accounts.findById(accountId);
        if (account) await emailVerification.send(account, locale);
      })().catch((error: unknown) =>
        logger.warn({ err: error, accountId }, 'the email verification link was not sent'),
      );
    };
  }
  const passwordReset = createPasswordReset({
    accounts: store.accounts,
    artifacts: store.artifacts,
    hasher,
    legacy: cutOffAwareLegacy,
    transform,
    record,
    mailer,
    linkFor: (token, locale) => `${config.issuer}/password/reset?token=${encodeURIComponent(token)}&lang=${locale}`,
    productName: config.productName,
    passwordPolicy,
    ttlSeconds: config.passwordReset.ttlSeconds,
    tombstones,
    legacyFactors,
  });

  const [signingKeys, cookieKeys, csrfSecret] = await Promise.all([
    openSigningKeysFor(config, store, secretBox, logger),
    loadCookieKeys(store.secrets, secretBox, config.cookies.keys),
    storeKey('csrf-key'),
  ]);
  const csrf = createCsrf(csrfSecret, (ctx) => {
    const t = translatorFor(ctx);
    return render(ctx, {
      view: 'error',
      title: t('error.formExpired.heading'),
      status: 403,
      locals: {
        heading: t('error.formExpired.heading'),
        message: t('error.formExpired.message'),
        code: 'invalid_request',
      },
    });
  });
  const pageOptions = {
    csrf,
    viewsDir: `${ROOT}views`,
    productName: config.productName,
    demoMode: options.demoMode ?? false,
    cache: options.cacheViews ?? false,
  };
  const render = createPageRenderer(pageOptions);
  const renderFragment = createFragmentRenderer(pageOptions);
  const app = createProvider({
    config,
    accounts: store.accounts,
    artifacts: store.artifacts,
    jwks: providerJwks(signingKeys.current()),
    cookieKeys,
    pages: providerPages(render),
    logger,
    admin: { consoleClient: adminConsoleClient(config), apiScope: ADMIN_SCOPE },
  });

  const adminAccess = createAdminAccess({ config, provider: app, accounts: store.accounts, signingKeys });
  const jobs = createImportJobs({ store, legacy, transform, record, logger, tombstones, legacyFactors });
  const switchCutOff = createCutOff({ cutOffAwareLegacy, record });
  const endSessions = createEndSessions({ provider: app, artifacts: store.artifacts, logger });
  const eraseAccount = createEraseAccount({
    accounts: store.accounts,
    events: store.events,
    tombstones,
    endSessions,
    record,
  });
  const actOnAccount = createAccountActions({
    accounts: store.accounts,
    endSessions,
    erase: eraseAccount,
    factors: store.factors,
    record,
  });

  // Endpoints that only ever answer JSON: oidc-provider's machine endpoints (discovery documents are under
  // /.well-known), the admin API, health and metrics.
  const apiPaths = new Set(
    (['token', 'userinfo', 'introspection', 'revocation', 'jwks'] as const).map((name) => app.pathFor(name)),
  );
  const isApi = (path: string) =>
    apiPaths.has(path) || /^\/(\.well-known|admin\/api|healthz|readyz|metrics)(\/|$)/.test(path);
  const staticMetadata = createStaticMetadata({
    issuer: config.issuer,
    paths: ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', app.pathFor('jwks')],
    trustProxy: config.trustProxy,
    cacheControl: { [app.pathFor('jwks')]: jwksCacheControl(config) },
  });
  // What the console and the admin API both act on.
  const operations = {
    access: adminAccess,
    store,
    legacy,
    cutOffAwareLegacy,
    jobs,
    switchCutOff,
    actOnAccount,
    signingKeys,
    tombstones,
    record,
  };
  app.use(securityHeaders(new URL(config.issuer).protocol === 'https:', isApi, logoOrigins(config.clients)));
  app.use(requestLogging(logger));
  app.use(localeScope());
  app.use(errorHandler(render, logger));
  app.use(
    nonProtocolRoutes([
      assetRoutes(`${ROOT}public`),
      brandStyles(config.clients),
      healthRoutes(store, legacy),
      // Not public: on this port only for a scraper with the token (or on `metrics.port`, see main.ts).
      ...(config.metrics.bearerToken ? [metricsRoutes(metrics, config.metrics.bearerToken)] : []),
      consoleRoutes({ ...operations, issuer: config.issuer, render, renderFragment, csrf }),
      adminApiRoutes(operations),
      emailVerificationRoutes({ verification: emailVerification, render, csrf }),
      passwordResetRoutes({
        reset: passwordReset,
        render,
        csrf,
        limiter,
        logger,
        passwordMinLength: config.passwords.minLength,
        links: signInLinks(app),
        ...(outbox ? { outbox: outbox.outbox } : {}),
      }),
      accountProfileRoutes({
        issuer: config.issuer,
        recentSignInSeconds: config.mfa.recentSignInSeconds,
        provider: app,
        accounts: store.accounts,
        artifacts: store.artifacts,
        endSessions,
        erase: eraseAccount,
        record,
        render,
        csrf,
      }),
      accountAppsRoutes({
        issuer: config.issuer,
        provider: app,
        accounts: store.accounts,
        recentSignInSeconds: config.mfa.recentSignInSeconds,
        artifacts: store.artifacts,
        render,
        csrf,
      }),
      accountSecurityRoutes({
        issuer: config.issuer,
        recentSignInSeconds: config.mfa.recentSignInSeconds,
        totpIssuer: config.mfa.totpIssuer ?? config.productName,
        provider: app,
        accounts: store.accounts,
        factors: store.factors,
        artifacts: store.artifacts,
        secretBox,
        record,
        render,
        csrf,
        passkeys,
        passwordPolicy,
        hasher,
        endSessions,
        emailVerification,
      }),
      interactionRoutes({
        provider: app,
        signIn,
        chooseLogins: createChooseLogins({
          accounts: store.accounts,
          record,
          legacy: cutOffAwareLegacy,
          transform,
          emailRequired: config.migration.emailRequired,
          tombstones,
          legacyFactors,
        }),
        register,
        accounts: store.accounts,
        artifacts: store.artifacts,
        render,
        csrf,
        limiter,
        signInLimits: signInLimits(limiter),
        secondFactors: mfa,
        emailVerification,
        passkeys,
        passkeyOffer: createPasskeyOffer({
          enabled: config.mfa.offerPasskeyAfterSignIn,
          passkeys,
          accounts: store.accounts,
          record,
        }),
        totpEnrolment: totpEnrolment({
          factors: store.factors,
          artifacts: store.artifacts,
          secretBox,
          record,
          totpIssuer: config.mfa.totpIssuer ?? config.productName,
        }),
        passwordMinLength: config.passwords.minLength,
        ...(config.passwords.requireChangeOfWeakLegacyPasswords
          ? {
              weakLegacyPassword: createWeakLegacyPassword({
                policy: passwordPolicy,
                hasher,
                accounts: store.accounts,
                artifacts: store.artifacts,
                record,
              }),
            }
          : {}),
      }),
    ]),
  );
  const idpListener = requestListener(app);
  const listener = staticMetadata.listener(idpListener);
  // At start and at every change of the signing keys (a rotation here or by another process, a key that starts
  // signing or retires): oidc-provider signs and publishes the new set, and the JWKS answered ahead of it follows.
  await signingKeys.onChange(async (state) => {
    useKeys(app, state);
    const unrendered = await staticMetadata.snapshot(idpListener);
    if (unrendered.length > 0) logger.warn({ paths: unrendered }, 'served per request: could not be rendered once');
  });

  return {
    app,
    listener,
    store,
    hasher,
    legacy,
    cutOffAwareLegacy,
    tombstones,
    signIn,
    register,
    outbox: outbox?.outbox,
    jobs,
    metricsListener: metricsListener(metrics),
    async close() {
      signingKeys.close();
      await jobs.settled();
      await webhooks.close();
      await legacy?.close();
      mailer.close();
      if (!options.store) await store.close(); // before the threads its checkpoints run on
      await hasher.close();
    },
  };
}

/** A service function whose every outcome is also counted. */
function observed<A extends unknown[], R>(fn: (...args: A) => Promise<R>, observe: (outcome: R) => void) {
  return async (...args: A): Promise<R> => {
    const outcome = await fn(...args);
    observe(outcome);
    return outcome;
  };
}
