import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { formField, parseForm } from '../http/forms.js';
import { translatorFor } from '../i18n/request-locale.js';
import type { TotpSetupPage } from '../mfa/totp-enrolment.js';
import { mfaRequired } from '../oidc/login-policy.js';
import {
  loadInteraction,
  renderStep,
  type Interaction,
  type InteractionDependencies,
  type InteractionState,
  type Step,
} from './interaction-steps.js';
import { finishOrAskForNewPassword, type NewPasswordDependencies } from './new-password.js';
import { askedForSecondFactor, PASSWORD_AND_CODE } from './second-factor.js';

/**
 * The step after a right password for an account without a second factor, at a client (or for a request) that
 * requires one: the user sets up an authenticator app here and now (QR code, one code to confirm it), is shown the
 * recovery codes once, and only then is signed in, with a password and a one-time code. Bound to the interaction
 * like the second step itself; the password is not asked again. A weak legacy password is replaced after it.
 */

type SetupDependencies = NewPasswordDependencies & Pick<InteractionDependencies, 'secondFactors' | 'totpEnrolment'>;

const PENDING = 'SecondFactorSetupStep';
/** As long as the setup's own secret waits (`totp-enrolment.ts`). */
const PENDING_TTL_SECONDS = 600;

interface Pending {
  accountId: string;
  username: string;
  weakPassword: boolean;
  /** The app is set up: what is left is to continue (a second click on Confirm lands here too). */
  confirmed: boolean;
}

async function renderSetup(
  deps: SetupDependencies,
  ctx: Context,
  interaction: Interaction,
  page: TotpSetupPage,
  error = '',
  status = 200,
): Promise<void> {
  ctx.set('cache-control', 'no-store');
  await renderStep(deps, ctx, interaction, {
    view: 'setup-second-factor',
    title: translatorFor(ctx)('setupSecondFactor.title'),
    status,
    locals: { ...page, error },
  });
}

/** The app is set up: the recovery codes (when new ones were made) shown once, and the way on. */
async function renderConfirmed(
  deps: SetupDependencies,
  ctx: Context,
  interaction: Interaction,
  recoveryCodes: readonly string[],
): Promise<void> {
  ctx.set('cache-control', 'no-store');
  await renderStep(deps, ctx, interaction, {
    view: 'setup-second-factor-done',
    title: translatorFor(ctx)('setupSecondFactorDone.title'),
    locals: { codes: recoveryCodes },
  });
}

/** Whether this interaction's client or request requires a second factor (see `login-policy.ts`). */
async function requiresSecondFactor(deps: Pick<SetupDependencies, 'provider'>, interaction: Interaction) {
  const client = await deps.provider.Client.find(String(interaction.params.client_id));
  return mfaRequired(client?.metadata(), interaction.params.acr_values);
}

/**
 * The password was right and the account has no second factor: if the client or the request requires one, the
 * setup page is shown (true) and the sign-in waits on this interaction; false: nothing to set up, the sign-in goes
 * on. (An account with a factor is asked for it by the second step before this.)
 */
export async function askedToSetUpSecondFactor(
  deps: SetupDependencies,
  ctx: Context,
  interaction: Interaction,
  account: { id: string; username: string },
  weakPassword: boolean,
): Promise<boolean> {
  if (!(await requiresSecondFactor(deps, interaction))) return false;
  const pending: Pending = { accountId: account.id, username: account.username, weakPassword, confirmed: false };
  await deps.artifacts.upsert(PENDING, interaction.uid, { ...pending }, PENDING_TTL_SECONDS);
  await renderSetup(deps, ctx, interaction, await deps.totpEnrolment.start(account, interaction.uid));
  return true;
}

interface SetupState extends InteractionState {
  pending: Pending;
}

const pendingFor = async (deps: SetupDependencies, uid: string): Promise<Pending | undefined> => {
  const pending = await deps.artifacts.find(PENDING, uid);
  if (typeof pending?.accountId !== 'string' || typeof pending.username !== 'string') return undefined;
  return {
    accountId: pending.accountId,
    username: pending.username,
    weakPassword: pending.weakPassword === true,
    confirmed: pending.confirmed === true,
  };
};

function loadPendingSetup(deps: SetupDependencies): Step<SetupState> {
  return async function loadPendingSetup(ctx, next) {
    const pending = await pendingFor(deps, ctx.state.interaction.uid);
    if (!pending) throw new errors.SessionNotFound('no second factor setup pending');
    ctx.state.pending = pending;
    await next();
  };
}

/** POST /interaction/:uid/second-factor/setup: the first code from the app, confirming the setup. */
export function confirmSetupEndpoint(deps: SetupDependencies): Step<SetupState>[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),
    loadPendingSetup(deps),

    async function confirm(ctx) {
      const { interaction, pending } = ctx.state;
      if (pending.confirmed) {
        // A second click on Confirm: the codes went to the first one's page, which the browser dropped.
        await renderConfirmed(deps, ctx, interaction, []);
        return;
      }
      const account = { id: pending.accountId, username: pending.username };
      if (await deps.secondFactors.enrolled(account.id)) {
        if (!(await deps.totpEnrolment.waiting(interaction.uid))) {
          // This setup's secret is gone because the other of two racing clicks on Confirm took it, and set it up.
          await renderConfirmed(deps, ctx, interaction, []);
          return;
        }
        // A factor set up elsewhere meanwhile is not replaced by someone who has only the password: it is asked for.
        await deps.artifacts.destroy(PENDING, interaction.uid);
        await askedForSecondFactor(deps, ctx, interaction, account.id, pending.weakPassword);
        return;
      }
      const outcome = await deps.totpEnrolment.confirm(account, interaction.uid, formField(ctx.request.body, 'code'));
      switch (outcome.kind) {
        case 'wrong-code':
          await renderSetup(
            deps,
            ctx,
            interaction,
            outcome.page,
            translatorFor(ctx)('setupSecondFactor.error.wrongCode'),
            400,
          );
          return;
        case 'expired':
          if ((await pendingFor(deps, interaction.uid))?.confirmed) {
            await renderConfirmed(deps, ctx, interaction, []);
            return;
          }
          // The setup outlived its secret: a new one, to scan again.
          await renderSetup(
            deps,
            ctx,
            interaction,
            await deps.totpEnrolment.start(account, interaction.uid),
            translatorFor(ctx)('setupSecondFactor.error.expired'),
            400,
          );
          return;
        case 'confirmed':
          await deps.artifacts.upsert(PENDING, interaction.uid, { ...pending, confirmed: true }, PENDING_TTL_SECONDS);
          await renderConfirmed(deps, ctx, interaction, outcome.recoveryCodes ?? []);
      }
    },
  ];
}

/** POST /interaction/:uid/second-factor/setup/continue: the app is set up, the sign-in completes. */
export function continueAfterSetupEndpoint(deps: SetupDependencies): Step<SetupState>[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),
    loadPendingSetup(deps),

    async function finish(ctx) {
      const { interaction, pending } = ctx.state;
      if (!pending.confirmed) throw new errors.SessionNotFound('the second factor is not set up yet');
      await finishOrAskForNewPassword(
        deps,
        ctx,
        interaction,
        pending.accountId,
        pending.weakPassword,
        PASSWORD_AND_CODE,
      );
    },
  ];
}
