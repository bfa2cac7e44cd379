import Router from '@koa/router';
import type { Context } from 'koa';
import { errors, type InteractionResults, type Provider } from 'oidc-provider';
import type { Register } from '../accounts/register.js';
import type { Csrf } from '../http/csrf.js';
import { formField, parseForm } from '../http/forms.js';
import type { RenderPage } from '../http/pages.js';
import type { ChooseLogins } from '../migration/choose-logins.js';
import type { PendingMigration, SignIn } from '../migration/sign-in.js';
import type { RateLimiter } from '../security/rate-limiter.js';
import type { SignInLimits } from '../security/sign-in-limits.js';
import { normaliseLogin } from '../accounts/account.js';
import type { AccountStore, ArtifactStore } from '../store/store.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';
import type { RecordEvent } from '../events/recorder.js';
import { StoreUnavailableError, RETRY_AFTER_SECONDS } from '../store/store-unavailable.js';
import {
  CHOOSE_LOGINS_UNAVAILABLE,
  CHOSEN_LOGIN_TAKEN,
  fieldSentences,
  LEGACY_RETRY_AFTER_SECONDS,
  registrationRefusal,
  SCOPE_DESCRIPTIONS,
  SIGN_IN_UNAVAILABLE,
  signInRefusal,
  TOO_MANY,
} from './messages.js';

export interface InteractionDependencies {
  provider: Provider;
  signIn: SignIn;
  /** The step after a first sign-in whose legacy username or email another account holds. */
  chooseLogins: ChooseLogins;
  register: Register;
  accounts: AccountStore;
  /** Interaction-bound state of the extra steps (new logins to choose, a password to change). */
  artifacts: ArtifactStore;
  render: RenderPage;
  csrf: Csrf;
  limiter: RateLimiter;
  signInLimits: SignInLimits;
  passwordMinLength: number;
  /** Set when weak legacy passwords must be changed at migration (`passwords.requireChangeOfWeakLegacyPasswords`). */
  weakLegacyPasswords?: {
    policy: PasswordPolicy;
    hasher: PasswordHasher;
    record: RecordEvent;
  };
}

const PASSWORD_CHANGE = 'PasswordChange';
const PENDING_MIGRATION = 'PendingMigration';
/** How long a confirmed legacy user has to choose new logins before signing in again is the way on. */
const PENDING_MIGRATION_TTL_SECONDS = 900;

/** What the choose-new-logins step keeps between its pages; a hash of the password, never the password. */
interface PendingMigrationState {
  pending: PendingMigration;
  /** The legacy password is one the policy refuses now: ask for a new one once the account exists. */
  weakPassword: boolean;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** What oidc-provider's consent prompt reports as not yet granted. */
interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/**
 * The hosted pages oidc-provider sends users to: sign-in, sign-up and consent. Each handler reads the interaction,
 * asks a domain service, and either re-renders the page with a neutral message or hands the result back to
 * oidc-provider, which continues the authorization request.
 */
export function interactionRoutes(deps: InteractionDependencies): Router {
  const { provider, render } = deps;
  const router = new Router({ prefix: '/interaction/:uid' });

  /** The interaction this browser is in, checked against the URL so a stale or foreign link cannot act on it. */
  const interactionFor = async (ctx: Context, prompt?: 'login' | 'consent'): Promise<Interaction> => {
    const interaction = await provider.interactionDetails(ctx.req, ctx.res);
    if (interaction.uid !== (ctx.params as Record<string, string | undefined>).uid)
      throw new errors.SessionNotFound('interaction mismatch');
    if (prompt && interaction.prompt.name !== prompt) {
      throw new errors.InvalidRequest(`this step expects the ${interaction.prompt.name} prompt`);
    }
    return interaction;
  };

  const clientNameOf = async (interaction: Interaction): Promise<string> => {
    const clientId = String(interaction.params.client_id);
    const client = await provider.Client.find(clientId);
    return client?.clientName ?? clientId;
  };

  const finish = async (ctx: Context, result: InteractionResults, merge: boolean) => {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };

  const renderLogin = async (ctx: Context, interaction: Interaction, login: string, error = '', status = 200) => {
    await render(ctx, {
      view: 'login',
      title: 'Sign in',
      status,
      locals: { uid: interaction.uid, clientName: await clientNameOf(interaction), login, error },
    });
  };

  const renderRegister = async (
    ctx: Context,
    interaction: Interaction,
    form: {
      values?: Record<string, string>;
      fieldErrors?: Record<string, string>;
      error?: string;
      signInInstead?: boolean;
    },
    status = 200,
  ) => {
    await render(ctx, {
      view: 'register',
      title: 'Create your account',
      status,
      locals: {
        uid: interaction.uid,
        clientName: await clientNameOf(interaction),
        values: form.values ?? {},
        fieldErrors: form.fieldErrors ?? {},
        error: form.error ?? '',
        signInInstead: form.signInInstead ?? false,
        passwordMinLength: deps.passwordMinLength,
      },
    });
  };

  router.get('/', async (ctx) => {
    const interaction = await interactionFor(ctx);
    if (interaction.prompt.name === 'login') {
      const hint = interaction.params.login_hint;
      await renderLogin(ctx, interaction, typeof hint === 'string' ? hint : '');
      return;
    }
    await renderConsent(ctx, interaction);
  });

  router.post('/login', parseForm, deps.csrf.check, async (ctx) => {
    const interaction = await interactionFor(ctx, 'login');
    const login = formField(ctx.request.body, 'login');
    const password = formField(ctx.request.body, 'password');
    const verdict = await deps.signInLimits.before(ctx.ip, login);
    if (verdict.kind === 'blocked') {
      ctx.set('retry-after', String(verdict.retryAfterSeconds));
      await renderLogin(ctx, interaction, login, TOO_MANY.message, TOO_MANY.status);
      return;
    }
    // Waited out here, outside the sign-in: a deliberate delay must not enter what the timing equaliser learns.
    await deps.limiter.slowDown(verdict);
    let outcome;
    try {
      outcome = await deps.signIn(login, password);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // Every write is whole or absent, so the same form, submitted again, picks up where this one stopped.
      ctx.set('retry-after', String(RETRY_AFTER_SECONDS));
      await renderLogin(ctx, interaction, login, SIGN_IN_UNAVAILABLE.message, SIGN_IN_UNAVAILABLE.status);
      return;
    }
    if (
      outcome.kind === 'invalid-credentials' ||
      outcome.kind === 'legacy-disabled' ||
      outcome.kind === 'account-disabled'
    ) {
      await deps.signInLimits.after(ctx.ip, login, 'refused');
    } else if (outcome.kind === 'signed-in' || outcome.kind === 'login-taken') {
      // The password was right: the pair's mistakes are forgiven.
      await deps.signInLimits.after(ctx.ip, login, 'signed-in');
    }
    if (outcome.kind === 'login-taken') {
      const state: PendingMigrationState = {
        pending: outcome.pending,
        weakPassword: isWeak(password, outcome.pending.profile),
      };
      await deps.artifacts.upsert(
        PENDING_MIGRATION,
        interaction.uid,
        state as unknown as Record<string, unknown>,
        PENDING_MIGRATION_TTL_SECONDS,
      );
      await renderChooseLogins(ctx, interaction, outcome.pending, {});
      return;
    }
    if (outcome.kind !== 'signed-in') {
      if (outcome.kind === 'legacy-unavailable') ctx.set('retry-after', String(LEGACY_RETRY_AFTER_SECONDS));
      const refusal = signInRefusal(outcome);
      await renderLogin(ctx, interaction, login, refusal.message, refusal.status);
      return;
    }
    // Judged at every sign-in, not only the migrating one, so a user who walks away from the change is asked again.
    // Passwords chosen here already passed the policy; in practice only migrated legacy passwords are caught.
    await signedIn(ctx, interaction, outcome.account.id, isWeak(password, outcome.account));
  });

  /**
   * Sign-up, and choosing new logins at a migration, answer whether a name is taken: an oracle worth limiting per
   * name as well as per client.
   */
  const limitNameChecks = (ctx: Context, logins: readonly string[]) =>
    deps.limiter.attempt([
      { rule: 'signUpPerIp', subject: ctx.ip },
      ...logins
        .filter((login) => login !== '')
        .map((login) => ({ rule: 'signUpPerLogin', subject: normaliseLogin(login) })),
    ]);

  /** Whether the password must be replaced before the sign-in completes (only when so configured). */
  const isWeak = (password: string, profile: { username: string; email?: string | undefined }): boolean =>
    deps.weakLegacyPasswords?.policy(password, { username: profile.username, email: profile.email }) !== undefined;

  /** The account is signed in: let oidc-provider continue, unless a new password must be chosen first. */
  const signedIn = async (ctx: Context, interaction: Interaction, accountId: string, weakPassword: boolean) => {
    if (weakPassword) {
      // Signed in, but not let through yet: the choice of a new password is bound to this interaction.
      await deps.artifacts.upsert(PASSWORD_CHANGE, interaction.uid, { accountId }, 600);
      await renderChangePassword(ctx, interaction, '');
      return;
    }
    await finish(ctx, { login: { accountId, amr: ['pwd'] } }, false);
  };

  const renderChooseLogins = async (
    ctx: Context,
    interaction: Interaction,
    pending: PendingMigration,
    form: { values?: Record<string, string>; fieldErrors?: Record<string, string>; error?: string },
    status = 200,
  ) => {
    await render(ctx, {
      view: 'choose-logins',
      title: 'Choose how you sign in',
      status,
      locals: {
        uid: interaction.uid,
        clientName: await clientNameOf(interaction),
        taken: pending.taken,
        legacyUsername: pending.profile.username,
        legacyEmail: pending.profile.email ?? '',
        values: form.values ?? {},
        fieldErrors: form.fieldErrors ?? {},
        error: form.error ?? '',
      },
    });
  };

  router.post('/logins', parseForm, deps.csrf.check, async (ctx) => {
    const interaction = await interactionFor(ctx, 'login');
    const state = (await deps.artifacts.find(PENDING_MIGRATION, interaction.uid)) as
      (PendingMigrationState & Record<string, unknown>) | undefined;
    if (!state) throw new errors.SessionNotFound('no migration waiting for new logins');
    const values = {
      username: formField(ctx.request.body, 'username'),
      email: formField(ctx.request.body, 'email'),
    };
    // Like a sign-up, this answers whether a name is taken (here or in the legacy system): limited the same way.
    const verdict = await limitNameChecks(ctx, [values.username, values.email]);
    if (verdict.kind === 'blocked') {
      ctx.set('retry-after', String(verdict.retryAfterSeconds));
      await renderChooseLogins(ctx, interaction, state.pending, { values, error: TOO_MANY.message }, TOO_MANY.status);
      return;
    }
    await deps.limiter.slowDown(verdict);
    const outcome = await deps.chooseLogins(state.pending, values);
    switch (outcome.kind) {
      case 'invalid-input':
        await renderChooseLogins(
          ctx,
          interaction,
          state.pending,
          { values, fieldErrors: fieldSentences(outcome.errors), error: 'Please correct the highlighted fields.' },
          400,
        );
        return;
      case 'taken':
        await renderChooseLogins(
          ctx,
          interaction,
          state.pending,
          {
            values,
            fieldErrors: fieldSentences(Object.fromEntries(outcome.fields.map((field) => [field, CHOSEN_LOGIN_TAKEN]))),
            error: 'Please correct the highlighted fields.',
          },
          409,
        );
        return;
      case 'legacy-unavailable':
        ctx.set('retry-after', String(LEGACY_RETRY_AFTER_SECONDS));
        await renderChooseLogins(
          ctx,
          interaction,
          state.pending,
          { values, error: CHOOSE_LOGINS_UNAVAILABLE.message },
          CHOOSE_LOGINS_UNAVAILABLE.status,
        );
        return;
      case 'signed-in':
        await deps.artifacts.destroy(PENDING_MIGRATION, interaction.uid);
        await signedIn(ctx, interaction, outcome.account.id, state.weakPassword);
    }
  });

  const renderChangePassword = async (ctx: Context, interaction: Interaction, error: string, status = 200) => {
    await render(ctx, {
      view: 'change-password',
      title: 'Choose a new password',
      status,
      locals: {
        uid: interaction.uid,
        clientName: await clientNameOf(interaction),
        error,
        passwordMinLength: deps.passwordMinLength,
      },
    });
  };

  router.post('/password', parseForm, deps.csrf.check, async (ctx) => {
    const interaction = await interactionFor(ctx, 'login');
    const weak = deps.weakLegacyPasswords;
    const pending = weak ? await deps.artifacts.find(PASSWORD_CHANGE, interaction.uid) : undefined;
    const accountId = typeof pending?.accountId === 'string' ? pending.accountId : undefined;
    const account = accountId ? await deps.accounts.findById(accountId) : undefined;
    if (!weak || !account) throw new errors.SessionNotFound('no password change pending');
    const password = formField(ctx.request.body, 'password');
    if (password !== formField(ctx.request.body, 'confirm')) {
      await renderChangePassword(ctx, interaction, 'The two passwords are not the same.', 400);
      return;
    }
    const problem = weak.policy(password, { username: account.username, email: account.email });
    if (problem) {
      await renderChangePassword(ctx, interaction, `The new password ${problem}.`, 400);
      return;
    }
    const hash = await weak.hasher.hash(password);
    // Taken, not just read: of two submissions racing, one changes the password and the other finds nothing.
    if (!(await deps.artifacts.take(PASSWORD_CHANGE, interaction.uid))) {
      throw new errors.SessionNotFound('no password change pending');
    }
    await deps.accounts.updatePassword(account.id, { kind: 'bcrypt', hash }, new Date());
    await weak.record({ type: 'password_changed', accountId: account.id, reason: 'weak_legacy_password' });
    await finish(ctx, { login: { accountId: account.id, amr: ['pwd'] } }, false);
  });

  router.get('/register', async (ctx) => {
    await renderRegister(ctx, await interactionFor(ctx, 'login'), {});
  });

  router.post('/register', parseForm, deps.csrf.check, async (ctx) => {
    const interaction = await interactionFor(ctx, 'login');
    const values = {
      username: formField(ctx.request.body, 'username'),
      email: formField(ctx.request.body, 'email'),
      givenName: formField(ctx.request.body, 'givenName'),
      familyName: formField(ctx.request.body, 'familyName'),
    };
    const verdict = await limitNameChecks(ctx, [values.username, values.email]);
    if (verdict.kind === 'blocked') {
      ctx.set('retry-after', String(verdict.retryAfterSeconds));
      await renderRegister(ctx, interaction, { values, error: TOO_MANY.message }, TOO_MANY.status);
      return;
    }
    await deps.limiter.slowDown(verdict);
    const outcome = await deps.register({ ...values, password: formField(ctx.request.body, 'password') });
    switch (outcome.kind) {
      case 'registered':
        await finish(ctx, { login: { accountId: outcome.account.id, amr: ['pwd'] } }, false);
        return;
      case 'invalid-input':
        await renderRegister(
          ctx,
          interaction,
          { values, fieldErrors: fieldSentences(outcome.errors), error: 'Please correct the highlighted fields.' },
          400,
        );
        return;
      default: {
        if (outcome.kind === 'legacy-unavailable') ctx.set('retry-after', String(LEGACY_RETRY_AFTER_SECONDS));
        const refusal = registrationRefusal(outcome);
        await renderRegister(
          ctx,
          interaction,
          { values, error: refusal.message, signInInstead: refusal.signInInstead },
          refusal.status,
        );
      }
    }
  });

  async function renderConsent(ctx: Context, interaction: Interaction) {
    const details = interaction.prompt.details as ConsentDetails;
    const requested = [
      ...(details.missingOIDCScope ?? []).map((scope) => SCOPE_DESCRIPTIONS[scope] ?? `Use the "${scope}" permission`),
      ...(details.missingOIDCClaims ?? []).map((claim) => `See your ${claim.replaceAll('_', ' ')}`),
      ...Object.entries(details.missingResourceScopes ?? {}).map(
        ([resource, scopes]) => `Call ${resource} with: ${scopes.join(', ')}`,
      ),
    ];
    const accountId = interaction.session?.accountId;
    const account = accountId ? await deps.accounts.findById(accountId) : undefined;
    await render(ctx, {
      view: 'consent',
      title: 'Allow access?',
      locals: {
        uid: interaction.uid,
        clientName: await clientNameOf(interaction),
        requested: requested.length > 0 ? requested : ['Sign you in with your account'],
        username: account?.username ?? '',
      },
    });
  }

  router.post('/confirm', parseForm, deps.csrf.check, async (ctx) => {
    const interaction = await interactionFor(ctx, 'consent');
    const accountId = interaction.session?.accountId;
    if (!accountId) throw new errors.SessionNotFound('consent without a signed-in account');
    const details = interaction.prompt.details as ConsentDetails;
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
    if (!grant) throw new errors.SessionNotFound('grant not found');
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    await finish(ctx, { consent: interaction.grantId ? {} : { grantId } }, true);
  });

  router.post('/abort', parseForm, deps.csrf.check, async (ctx) => {
    await interactionFor(ctx);
    await finish(ctx, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, false);
  });

  return router;
}
