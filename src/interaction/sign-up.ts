import type { Context } from 'koa';
import { formField, parseForm } from '../http/forms.js';
import { translatorFor } from '../i18n/request-locale.js';
import { formProblems } from '../i18n/problems.js';
import {
  limitNameChecks,
  loadInteraction,
  renderStep,
  type FormAgain,
  type Interaction,
  type InteractionDependencies,
  type InteractionState,
  type Step,
  type StepContext,
} from './interaction-steps.js';
import { LEGACY_RETRY_AFTER_SECONDS, registrationRefusal } from './messages.js';
import { finishSignIn } from './finish-sign-in.js';

/** Sign-up inside a sign-in: a new account, signed in at once. */

type SignUpDependencies = Pick<
  InteractionDependencies,
  'provider' | 'register' | 'render' | 'csrf' | 'limiter' | 'passwordMinLength'
>;

interface SignUpForm extends FormAgain {
  signInInstead?: boolean;
}

async function renderSignUp(
  deps: SignUpDependencies,
  ctx: Context,
  interaction: Interaction,
  form: SignUpForm,
  status = 200,
): Promise<void> {
  await renderStep(deps, ctx, interaction, {
    view: 'register',
    title: translatorFor(ctx)('signUp.title'),
    status,
    locals: {
      values: form.values ?? {},
      fieldErrors: form.fieldErrors ?? {},
      error: form.error ?? '',
      signInInstead: form.signInInstead ?? false,
      passwordMinLength: deps.passwordMinLength,
    },
  });
}

/** GET /interaction/:uid/register */
export function signUpPage(deps: SignUpDependencies): Step[] {
  return [
    loadInteraction(deps.provider, 'login'),
    async function showSignUp(ctx) {
      await renderSignUp(deps, ctx, ctx.state.interaction, {});
    },
  ];
}

interface SignUpState extends InteractionState {
  values: { username: string; email: string; givenName: string; familyName: string };
}

/** POST /interaction/:uid/register */
export function signUpEndpoint(deps: SignUpDependencies): Step<SignUpState>[] {
  const again = (ctx: StepContext<SignUpState>, form: SignUpForm, status: number) =>
    renderSignUp(deps, ctx, ctx.state.interaction, form, status);
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),

    async function readForm(ctx, next) {
      ctx.state.values = {
        username: formField(ctx.request.body, 'username'),
        email: formField(ctx.request.body, 'email'),
        givenName: formField(ctx.request.body, 'givenName'),
        familyName: formField(ctx.request.body, 'familyName'),
      };
      await next();
    },

    limitNameChecks(deps.limiter, again),

    async function register(ctx) {
      const { values } = ctx.state;
      const outcome = await deps.register({ ...values, password: formField(ctx.request.body, 'password') });
      switch (outcome.kind) {
        case 'registered':
          await finishSignIn(ctx, ctx.state.interaction, outcome.account.id);
          return;
        case 'invalid-input':
          await again(ctx, { values, ...formProblems(translatorFor(ctx), outcome.errors) }, 400);
          return;
        default: {
          if (outcome.kind === 'legacy-unavailable') ctx.set('retry-after', String(LEGACY_RETRY_AFTER_SECONDS));
          const refusal = registrationRefusal(outcome);
          await again(
            ctx,
            { values, error: translatorFor(ctx)(refusal.message), signInInstead: refusal.signInInstead },
            refusal.status,
          );
        }
      }
    },
  ];
}
