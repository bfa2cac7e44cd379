import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { formField, parseForm } from '../http/forms.js';
import {
  loadInteraction,
  renderStep,
  type Interaction,
  type InteractionDependencies,
  type InteractionState,
  type Step,
} from './interaction-steps.js';
import { askedForNewPassword, finishSignIn } from './new-password.js';

/**
 * The step after a right password for an account with a second factor: a code from the authenticator app, or one
 * of the recovery codes. Bound to the interaction, so only the browser that gave the password can give the code;
 * the password is not asked again. A weak legacy password is replaced only after this step: someone who knows only
 * the password must not be able to change it.
 */

type SecondFactorStepDependencies = Pick<
  InteractionDependencies,
  'provider' | 'render' | 'csrf' | 'artifacts' | 'secondFactors' | 'passwordMinLength' | 'weakLegacyPassword'
>;

const PENDING = 'SecondFactorStep';
/** Long enough to find the phone; the interaction itself lasts longer. */
const PENDING_TTL_SECONDS = 600;
/** RFC 8176: a password, then a one-time code, so several factors. */
export const PASSWORD_AND_CODE: readonly string[] = ['pwd', 'otp', 'mfa'];

const WRONG_CODE = 'That code is not right. Enter the current code from your app, or one of your recovery codes.';

async function renderSecondFactor(
  deps: SecondFactorStepDependencies,
  ctx: Context,
  interaction: Interaction,
  error = '',
  status = 200,
): Promise<void> {
  await renderStep(deps, ctx, interaction, {
    view: 'second-factor',
    title: 'Two-step verification',
    status,
    locals: { error },
  });
}

/**
 * The password was right: if the account has a second factor, the page asking for it is shown (true) and the sign-in
 * waits on this interaction; false: nothing to ask, the sign-in goes on.
 */
export async function askedForSecondFactor(
  deps: SecondFactorStepDependencies,
  ctx: Context,
  interaction: Interaction,
  accountId: string,
  weakPassword: boolean,
): Promise<boolean> {
  if (!(await deps.secondFactors.enrolled(accountId))) return false;
  await deps.artifacts.upsert(PENDING, interaction.uid, { accountId, weakPassword }, PENDING_TTL_SECONDS);
  await renderSecondFactor(deps, ctx, interaction);
  return true;
}

interface SecondFactorState extends InteractionState {
  pending: Pending;
}

interface Pending {
  accountId: string;
  weakPassword: boolean;
  /** The code was right: a second submission of the form (a double click) finishes again instead of failing. */
  passed: boolean;
}

/** POST /interaction/:uid/second-factor */
export function secondFactorEndpoint(deps: SecondFactorStepDependencies): Step<SecondFactorState>[] {
  const pendingFor = async (uid: string): Promise<Pending | undefined> => {
    const pending = await deps.artifacts.find(PENDING, uid);
    if (typeof pending?.accountId !== 'string') return undefined;
    return {
      accountId: pending.accountId,
      weakPassword: pending.weakPassword === true,
      passed: pending.passed === true,
    };
  };

  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),

    async function loadPendingStep(ctx, next) {
      const pending = await pendingFor(ctx.state.interaction.uid);
      if (!pending) throw new errors.SessionNotFound('no second step pending');
      ctx.state.pending = pending;
      await next();
    },

    async function checkCode(ctx, next) {
      const { interaction, pending } = ctx.state;
      if (pending.passed) {
        await next();
        return;
      }
      const outcome = await deps.secondFactors.verify(pending.accountId, formField(ctx.request.body, 'code'));
      if (outcome.kind === 'accepted') {
        await deps.artifacts.upsert(PENDING, interaction.uid, { ...pending, passed: true }, PENDING_TTL_SECONDS);
        await next();
        return;
      }
      if (outcome.kind === 'rate-limited') {
        ctx.set('retry-after', String(outcome.retryAfterSeconds));
        const minutes = Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60));
        await renderSecondFactor(
          deps,
          ctx,
          interaction,
          `Too many wrong codes. Try again in ${String(minutes)} minute${minutes === 1 ? '' : 's'}.`,
          429,
        );
        return;
      }
      // The same code sent twice at once (a double click): the other submission used it and passed.
      if ((await pendingFor(interaction.uid))?.passed) {
        await next();
        return;
      }
      await renderSecondFactor(deps, ctx, interaction, WRONG_CODE, 401);
    },

    async function finish(ctx) {
      const { interaction, pending } = ctx.state;
      if (await askedForNewPassword(deps, ctx, interaction, pending.accountId, pending.weakPassword, PASSWORD_AND_CODE))
        return;
      await finishSignIn(deps, ctx, pending.accountId, PASSWORD_AND_CODE);
    },
  ];
}
