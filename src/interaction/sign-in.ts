import type { Context } from 'koa';
import { formField, parseForm } from '../http/forms.js';
import { preferUiLocales, translatorFor } from '../i18n/request-locale.js';
import type { SignInOutcome } from '../migration/sign-in.js';
import { RETRY_AFTER_SECONDS, StoreUnavailableError } from '../store/store-unavailable.js';
import { askForNewLogins } from './choose-logins.js';
import {
  loadInteraction,
  renderStep,
  withinLimits,
  type Interaction,
  type InteractionDependencies,
  type InteractionState,
  type Step,
  type StepContext,
} from './interaction-steps.js';
import { LEGACY_RETRY_AFTER_SECONDS, SIGN_IN_UNAVAILABLE, signInRefusal, type Refusal } from './messages.js';
import { finishOrAskForNewPassword, type NewPasswordDependencies } from './new-password.js';
import { askedForSecondFactor } from './second-factor.js';
import { askedToSetUpSecondFactor } from './setup-second-factor.js';

/** The hosted sign-in page, and its form: the one flow that matters (sign-in with just-in-time migration). */

type SignInDependencies = NewPasswordDependencies &
  Pick<
    InteractionDependencies,
    'signIn' | 'chooseLogins' | 'limiter' | 'signInLimits' | 'secondFactors' | 'totpEnrolment'
  >;

export async function renderSignIn(
  deps: Pick<InteractionDependencies, 'provider' | 'render'>,
  ctx: Context,
  interaction: Interaction,
  login: string,
  refusal?: Refusal,
): Promise<void> {
  preferUiLocales(ctx, interaction.params.ui_locales);
  const t = translatorFor(ctx);
  await renderStep(deps, ctx, interaction, {
    view: 'login',
    title: t('signIn.title'),
    status: refusal?.status ?? 200,
    locals: { login, error: refusal ? t(refusal.message) : '' },
  });
}

interface SignInState extends InteractionState {
  login: string;
  outcome: SignInOutcome;
  /** Set once the sign-in succeeded: whether its password must be replaced before it completes. */
  weakPassword: boolean;
}

/** The account of a sign-in that succeeded (the steps after `judgePassword` run only for one). */
function signedInAccount(ctx: StepContext<SignInState>) {
  const { outcome } = ctx.state;
  if (outcome.kind !== 'signed-in') throw new Error('a step for a successful sign-in ran after a refusal');
  return outcome.account;
}

/** The password is read from the form where it is needed and never kept in the request's state. */
const passwordOf = (ctx: Context) => formField(ctx.request.body, 'password');

/** POST /interaction/:uid/login */
export function signInEndpoint(deps: SignInDependencies): Step<SignInState>[] {
  const refuse = (ctx: StepContext<SignInState>, refusal: Refusal) =>
    renderSignIn(deps, ctx, ctx.state.interaction, ctx.state.login, refusal);
  /** Whether the password must be replaced before the sign-in completes (only when so configured). */
  const isWeak = (password: string, profile: { username: string; email?: string | undefined }) =>
    deps.weakLegacyPassword?.isWeak(password, profile) ?? false;

  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),

    async function applyLimits(ctx, next) {
      ctx.state.login = formField(ctx.request.body, 'login');
      const verdict = await deps.signInLimits.before(ctx.ip, ctx.state.login);
      // Waited out here, outside the sign-in: a deliberate delay must not enter what the timing equaliser learns.
      if (await withinLimits(ctx, deps.limiter, verdict, (refusal) => refuse(ctx, refusal))) await next();
    },

    async function signIn(ctx, next) {
      try {
        ctx.state.outcome = await deps.signIn(ctx.state.login, passwordOf(ctx));
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        // Every write is whole or absent, so the same form, submitted again, picks up where this one stopped.
        ctx.set('retry-after', String(RETRY_AFTER_SECONDS));
        await refuse(ctx, SIGN_IN_UNAVAILABLE);
        return;
      }
      await next();
    },

    async function countTheOutcome(ctx, next) {
      const { outcome, login } = ctx.state;
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
      await next();
    },

    async function chooseNewLoginsIfTaken(ctx, next) {
      const { outcome, interaction } = ctx.state;
      if (outcome.kind !== 'login-taken') {
        await next();
        return;
      }
      await askForNewLogins(deps, ctx, interaction, {
        pending: outcome.pending,
        weakPassword: isWeak(passwordOf(ctx), outcome.pending.profile),
      });
    },

    async function refuseUnlessSignedIn(ctx, next) {
      const { outcome } = ctx.state;
      if (outcome.kind === 'signed-in') {
        await next();
        return;
      }
      if (outcome.kind === 'login-taken') return; // answered by the step before
      if (outcome.kind === 'legacy-unavailable') ctx.set('retry-after', String(LEGACY_RETRY_AFTER_SECONDS));
      await refuse(ctx, signInRefusal(outcome));
    },

    // Whether the password must be replaced is judged once, here, while the form still holds it; the steps after
    // carry the verdict, never the password.
    async function judgePassword(ctx, next) {
      const { outcome } = ctx.state;
      if (outcome.kind !== 'signed-in') return;
      ctx.state.weakPassword = isWeak(passwordOf(ctx), outcome.account);
      await next();
    },

    // An account with a second factor is asked for it now; a weak password is replaced only after it.
    async function requireSecondFactor(ctx, next) {
      const { interaction, weakPassword } = ctx.state;
      if (!(await askedForSecondFactor(deps, ctx, interaction, signedInAccount(ctx).id, weakPassword))) await next();
    },

    // An account without one, at a client (or for a request) that requires it, sets one up before it goes on.
    async function requireSetupOfSecondFactor(ctx, next) {
      const { interaction, weakPassword } = ctx.state;
      if (!(await askedToSetUpSecondFactor(deps, ctx, interaction, signedInAccount(ctx), weakPassword))) await next();
    },

    // A weak legacy password is replaced before the sign-in completes, asked at every sign-in until it is.
    async function finish(ctx) {
      const { interaction, weakPassword } = ctx.state;
      await finishOrAskForNewPassword(deps, ctx, interaction, signedInAccount(ctx).id, weakPassword);
    },
  ];
}
