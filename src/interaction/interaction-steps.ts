import type { RouterMiddleware } from '@koa/router';
import type { Context } from 'koa';
import { errors, type InteractionResults, type Provider } from 'oidc-provider';
import { normaliseLogin } from '../accounts/account.js';
import { brandOf, type ClientBrand } from '../http/client-branding.js';
import type { EmailVerification } from '../email-verification/email-verification.js';
import type { Csrf } from '../http/csrf.js';
import { preferUiLocales, translatorFor } from '../i18n/request-locale.js';
import type { SecondFactors } from '../mfa/second-factor.js';
import type { TotpEnrolment } from '../mfa/totp-enrolment.js';
import type { PasskeyOffer } from '../mfa/passkey-offer.js';
import type { Passkeys } from '../mfa/passkeys.js';
import type { RenderPage } from '../http/pages.js';
import type { ChooseLogins } from '../migration/choose-logins.js';
import type { SignIn } from '../migration/sign-in.js';
import type { WeakLegacyPassword } from '../migration/weak-legacy-password.js';
import type { Register } from '../registration/register.js';
import type { RateLimiter, Verdict } from '../security/rate-limiter.js';
import type { SignInLimits } from '../security/sign-in-limits.js';
import type { AccountStore, ArtifactStore } from '../store/store.js';
import { TOO_MANY, type Refusal } from './messages.js';

/**
 * What the interaction steps share: the interaction a request acts on, how a step hands the result back to
 * oidc-provider, and the limits every form that answers "is this name taken?" meets.
 */

export interface InteractionDependencies {
  provider: Provider;
  signIn: SignIn;
  /** The step after a first sign-in whose legacy username or email another account holds. */
  chooseLogins: ChooseLogins;
  register: Register;
  accounts: AccountStore;
  /** Interaction-bound state of the extra steps (new logins to choose). */
  artifacts: ArtifactStore;
  render: RenderPage;
  csrf: Csrf;
  limiter: RateLimiter;
  signInLimits: SignInLimits;
  passwordMinLength: number;
  /** Set when weak legacy passwords must be changed at migration (`passwords.requireChangeOfWeakLegacyPasswords`). */
  weakLegacyPassword?: WeakLegacyPassword;
  /** The second step of a sign-in, for accounts with a second factor. */
  secondFactors: SecondFactors;
  /** Setting up an authenticator app inside a sign-in, for a client or request that requires a second factor. */
  totpEnrolment: TotpEnrolment;
  /** Signing in with a passkey alone (`passkey-sign-in.ts`), and adding one when offered (`passkey-offer.ts`). */
  passkeys: Passkeys;
  /** Whether to offer a passkey at the end of a password sign-in. */
  passkeyOffer: PasskeyOffer;
  /** The link confirming an email address, for a client that requires a confirmed one (`verify-email.ts`). */
  emailVerification: EmailVerification;
}

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** What a step finds in `ctx.state` once `loadInteraction` has run before it. */
export interface InteractionState {
  interaction: Interaction;
}

/** One step of an interaction endpoint: a small Koa middleware, in the style of oidc-provider's own endpoints. */
export type Step<State extends InteractionState = InteractionState> = RouterMiddleware<State>;
export type StepContext<State extends InteractionState = InteractionState> = Parameters<Step<State>>[0];

/**
 * Loads the interaction this browser is in into `ctx.state`, checked against the URL so a stale or foreign link
 * cannot act on it, and (when given) against the prompt the step serves.
 */
export function loadInteraction<State extends InteractionState = InteractionState>(
  provider: Provider,
  prompt?: 'login' | 'consent' | 'verify_email',
): Step<State> {
  return async function loadInteraction(ctx, next) {
    const interaction = await provider.interactionDetails(ctx.req, ctx.res);
    if (interaction.uid !== ctx.params.uid) throw new errors.SessionNotFound('interaction mismatch');
    if (prompt && interaction.prompt.name !== prompt) {
      throw new errors.InvalidRequest(`this step expects the ${interaction.prompt.name} prompt`);
    }
    ctx.state.interaction = interaction;
    // The application's choice of language for this sign-in (`ui_locales`) holds on every page of it.
    preferUiLocales(ctx, interaction.params.ui_locales);
    await next();
  };
}

/** The application the user is signing in to: its name for the page's heading, its logo and colour for the page. */
async function brandOfInteraction(provider: Provider, interaction: Interaction): Promise<ClientBrand> {
  const clientId = String(interaction.params.client_id);
  const client = await provider.Client.find(clientId);
  return client ? brandOf(client) : { clientId, name: clientId, logoUri: undefined, hasAccent: false };
}

/** A page of this interaction: what every one shows (its uid for the forms, the application's name) and its own. */
export async function renderStep(
  deps: Pick<InteractionDependencies, 'provider' | 'render'>,
  ctx: Context,
  interaction: Interaction,
  page: { view: string; title: string; status?: number; locals: Record<string, unknown> },
): Promise<void> {
  const brand = await brandOfInteraction(deps.provider, interaction);
  preferUiLocales(ctx, interaction.params.ui_locales);
  await deps.render(ctx, {
    ...page,
    locals: { uid: interaction.uid, clientName: brand.name, brand, ...page.locals },
  });
}

/**
 * Hands the step's result to oidc-provider, which continues the authorization request: what its
 * `interactionResult` does, on the interaction `loadInteraction` read for this request, not on a second read
 * of the same row (one store round trip less on every step). A double click ends as before: the browser follows the
 * answer to its second click, whose result is the one saved last. A click whose interaction was resumed meanwhile
 * (its first click's answer already followed) saves it again, where `interactionResult` would have failed; either
 * way that browser reaches the expired-request page, since the resume took its resume cookie, and the row expires.
 */
export async function finishInteraction(
  ctx: Context,
  interaction: Interaction,
  result: InteractionResults,
  merge = false,
): Promise<void> {
  interaction.result = merge && !('error' in result) ? { ...interaction.lastSubmission, ...result } : result;
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  ctx.status = 303;
  ctx.redirect(interaction.returnTo);
}

/** A form page drawn again: the values typed, a sentence per field with a problem, and one above the form. */
export interface FormAgain {
  values?: Record<string, string>;
  fieldErrors?: Record<string, string>;
  error?: string;
}

/**
 * Sign-up, and choosing new logins at a migration, answer whether a name is taken: an oracle worth limiting per
 * name as well as per client. Past a limit the form is drawn again by `again`.
 */
export function limitNameChecks<State extends InteractionState & { values: { username: string; email: string } }>(
  limiter: RateLimiter,
  again: (ctx: StepContext<State>, form: FormAgain, status: number) => Promise<void>,
): Step<State> {
  return async function limitNameChecks(ctx, next) {
    const { values } = ctx.state;
    const verdict = await limiter.attempt([
      { rule: 'signUpPerIp', subject: ctx.ip },
      ...[values.username, values.email]
        .filter((login) => login !== '')
        .map((login) => ({ rule: 'signUpPerLogin', subject: normaliseLogin(login) })),
    ]);
    const allowed = await withinLimits(ctx, limiter, verdict, (refusal) =>
      again(ctx, { values, error: translatorFor(ctx)(refusal.message) }, refusal.status),
    );
    if (allowed) await next();
  };
}

/**
 * A limit's verdict carried out: past it, the page is shown again with `Retry-After` and the same words for every
 * login (false: stop here); within it, any delay is waited out (true: go on).
 */
export async function withinLimits(
  ctx: Context,
  limiter: RateLimiter,
  verdict: Verdict,
  refuse: (refusal: Refusal) => Promise<void>,
): Promise<boolean> {
  if (verdict.kind === 'blocked') {
    ctx.set('retry-after', String(verdict.retryAfterSeconds));
    await refuse(TOO_MANY);
    return false;
  }
  await limiter.slowDown(verdict);
  return true;
}

/**
 * The last step of every endpoint that hands the page's script WebAuthn options (sign-in, second step, the offer
 * after sign-in): never cached, and a 404 where passkeys cannot work (an IP-address issuer).
 */
export function answerPasskeyOptions<State extends InteractionState>(
  passkeys: Pick<Passkeys, 'available'>,
  options: (ctx: StepContext<State>) => Promise<object>,
): Step<State> {
  return async function passkeyOptions(ctx) {
    ctx.set('cache-control', 'no-store');
    if (!passkeys.available) {
      ctx.status = 404;
      ctx.body = { error: 'passkeys_unavailable' };
      return;
    }
    ctx.body = await options(ctx);
  };
}
