import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { formField, parseForm } from '../http/forms.js';
import { translatorFor } from '../i18n/request-locale.js';
import type { MessageKey } from '../i18n/translator.js';
import type { SecondFactorMethods } from '../mfa/second-factor.js';
import {
  answerPasskeyOptions,
  loadInteraction,
  renderStep,
  type Interaction,
  type InteractionDependencies,
  type InteractionState,
  type Step,
} from './interaction-steps.js';
import { finishOrAskForNewPassword, type NewPasswordDependencies } from './new-password.js';

/**
 * The step after a right password for an account with a second factor: a code from the authenticator app, one of
 * the recovery codes, or one of the account's passkeys (with JavaScript and WebAuthn, as on the sign-in page). Bound
 * to the interaction, so only the browser that gave the password can give the code or the passkey's answer; the
 * password is not asked again. A weak legacy password is replaced only after this step: someone who knows only
 * the password must not be able to change it.
 */

type SecondFactorStepDependencies = NewPasswordDependencies & Pick<InteractionDependencies, 'secondFactors'>;

const PENDING = 'SecondFactorStep';
/** Long enough to find the phone; the interaction itself lasts longer. */
const PENDING_TTL_SECONDS = 600;
/** RFC 8176: a password, then a one-time code, so several factors. */
export const PASSWORD_AND_CODE: readonly string[] = ['pwd', 'otp', 'mfa'];
/** RFC 8176: a password, then a passkey (`swk` when it syncs between devices, `hwk` when bound to its device). */
const passwordAndPasskey = (synced: boolean): readonly string[] => ['pwd', synced ? 'swk' : 'hwk', 'mfa'];

const WRONG_CODE: MessageKey = 'secondFactor.error.wrongCode';
const PASSKEY_REFUSED: MessageKey = 'secondFactor.error.passkeyRefused';
const PASSKEY_EXPIRED: MessageKey = 'secondFactor.error.passkeyExpired';

const minutesOf = (retryAfterSeconds: number) => Math.max(1, Math.ceil(retryAfterSeconds / 60));

async function renderSecondFactor(
  deps: SecondFactorStepDependencies,
  ctx: Context,
  interaction: Interaction,
  accountId: string,
  error = '',
  status = 200,
  known?: SecondFactorMethods,
): Promise<void> {
  const { totp, recoveryCodes, passkeys } = known ?? (await deps.secondFactors.methods(accountId));
  await renderStep(deps, ctx, interaction, {
    view: 'second-factor',
    title: translatorFor(ctx)('secondFactor.title'),
    status,
    locals: { error, totp, recoveryCodes, passkeys },
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
  // One read of the account's factors decides whether to ask and what the page offers.
  const methods = await deps.secondFactors.methods(accountId);
  if (!methods.totp && !methods.recoveryCodes && !methods.passkeys) return false;
  await deps.artifacts.upsert(PENDING, interaction.uid, { accountId, weakPassword }, PENDING_TTL_SECONDS);
  await renderSecondFactor(deps, ctx, interaction, accountId, '', 200, methods);
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
  /** How the step was passed (the sign-in's amr), once it is. */
  amr?: readonly string[];
}

type PasskeyStepDependencies = SecondFactorStepDependencies & Pick<InteractionDependencies, 'passkeys'>;

const pendingFor = async (deps: SecondFactorStepDependencies, uid: string): Promise<Pending | undefined> => {
  const pending = await deps.artifacts.find(PENDING, uid);
  if (typeof pending?.accountId !== 'string') return undefined;
  const amr = Array.isArray(pending.amr) ? pending.amr.filter((v): v is string => typeof v === 'string') : undefined;
  return {
    accountId: pending.accountId,
    weakPassword: pending.weakPassword === true,
    passed: pending.passed === true,
    ...(amr ? { amr } : {}),
  };
};

const markPassed = (deps: SecondFactorStepDependencies, uid: string, pending: Pending, amr: readonly string[]) =>
  deps.artifacts.upsert(PENDING, uid, { ...pending, passed: true, amr: [...amr] }, PENDING_TTL_SECONDS);

function loadPendingStep(deps: SecondFactorStepDependencies): Step<SecondFactorState> {
  return async function loadPendingStep(ctx, next) {
    const pending = await pendingFor(deps, ctx.state.interaction.uid);
    if (!pending) throw new errors.SessionNotFound('no second step pending');
    ctx.state.pending = pending;
    await next();
  };
}

/** Passed: the weak-password step if one is pending, then the sign-in finishes with how the step was passed. */
function finishAfterSecondFactor(deps: SecondFactorStepDependencies): Step<SecondFactorState> {
  return async function finish(ctx) {
    const { interaction, pending } = ctx.state;
    const passed = await pendingFor(deps, interaction.uid);
    const amr = passed?.amr ?? pending.amr ?? PASSWORD_AND_CODE;
    await finishOrAskForNewPassword(deps, ctx, interaction, pending.accountId, pending.weakPassword, amr);
  };
}

/** POST /interaction/:uid/second-factor */
export function secondFactorEndpoint(deps: SecondFactorStepDependencies): Step<SecondFactorState>[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),
    loadPendingStep(deps),

    async function checkCode(ctx, next) {
      const { interaction, pending } = ctx.state;
      if (pending.passed) {
        await next();
        return;
      }
      const outcome = await deps.secondFactors.verify(pending.accountId, formField(ctx.request.body, 'code'));
      if (outcome.kind === 'accepted') {
        await markPassed(deps, interaction.uid, pending, PASSWORD_AND_CODE);
        await next();
        return;
      }
      if (outcome.kind === 'rate-limited') {
        ctx.set('retry-after', String(outcome.retryAfterSeconds));
        const minutes = minutesOf(outcome.retryAfterSeconds);
        await renderSecondFactor(
          deps,
          ctx,
          interaction,
          pending.accountId,
          translatorFor(ctx).plural('secondFactor.error.tooManyCodes', minutes),
          429,
        );
        return;
      }
      // The same code sent twice at once (a double click): the other submission used it and passed.
      if ((await pendingFor(deps, interaction.uid))?.passed) {
        await next();
        return;
      }
      await renderSecondFactor(deps, ctx, interaction, pending.accountId, translatorFor(ctx)(WRONG_CODE), 401);
    },

    finishAfterSecondFactor(deps),
  ];
}

/** POST /interaction/:uid/second-factor/passkey/options: options listing the pending account's passkeys, as JSON. */
export function secondFactorPasskeyOptionsEndpoint(deps: PasskeyStepDependencies): Step<SecondFactorState>[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),
    loadPendingStep(deps),

    answerPasskeyOptions(deps.passkeys, (ctx) =>
      deps.passkeys.secondFactorOptions(ctx.state.interaction.uid, ctx.state.pending.accountId),
    ),
  ];
}

/** POST /interaction/:uid/second-factor/passkey: the browser's answer; the step passes as with a right code. */
export function secondFactorPasskeyEndpoint(deps: PasskeyStepDependencies): Step<SecondFactorState>[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),
    loadPendingStep(deps),

    async function checkPasskey(ctx, next) {
      const { interaction, pending } = ctx.state;
      if (pending.passed) {
        await next();
        return;
      }
      const response = formField(ctx.request.body, 'response');
      const outcome = await deps.secondFactors.guard(pending.accountId, async () => {
        const checked = await deps.passkeys.verifySecondFactor(interaction.uid, pending.accountId, response);
        if (checked.kind === 'expired') return 'expired';
        if (checked.kind !== 'accepted') return 'failed';
        await markPassed(deps, interaction.uid, pending, passwordAndPasskey(checked.synced));
        return 'passed';
      });
      if (outcome.kind === 'passed') {
        await next();
        return;
      }
      if (outcome.kind === 'rate-limited') {
        ctx.set('retry-after', String(outcome.retryAfterSeconds));
        const tooMany = translatorFor(ctx).plural(
          'secondFactor.error.tooManyAttempts',
          minutesOf(outcome.retryAfterSeconds),
        );
        await renderSecondFactor(deps, ctx, interaction, pending.accountId, tooMany, 429);
        return;
      }
      const error = translatorFor(ctx)(outcome.kind === 'expired' ? PASSKEY_EXPIRED : PASSKEY_REFUSED);
      await renderSecondFactor(
        deps,
        ctx,
        interaction,
        pending.accountId,
        error,
        outcome.kind === 'expired' ? 400 : 401,
      );
    },

    finishAfterSecondFactor(deps),
  ];
}
