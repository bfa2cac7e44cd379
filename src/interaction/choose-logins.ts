import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { formField, parseForm } from '../http/forms.js';
import { translatorFor } from '../i18n/request-locale.js';
import { formProblems } from '../i18n/problems.js';
import type { PendingMigration } from '../migration/sign-in.js';
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
import {
  CHOOSE_LOGINS_UNAVAILABLE,
  CHOSEN_LOGIN_TAKEN,
  LEGACY_RETRY_AFTER_SECONDS,
  signInRefusal,
} from './messages.js';
import { finishOrAskForNewPassword, type NewPasswordDependencies } from './new-password.js';
import { askedForSecondFactor } from './second-factor.js';

/**
 * The step after a first sign-in whose legacy username or email another account already holds: the legacy user is
 * confirmed, and chooses new logins before the account is made.
 */

type ChooseLoginsDependencies = NewPasswordDependencies &
  Pick<InteractionDependencies, 'chooseLogins' | 'limiter' | 'secondFactors'>;

const PENDING_MIGRATION = 'PendingMigration';
/** How long a confirmed legacy user has to choose new logins before signing in again is the way on. */
const PENDING_MIGRATION_TTL_SECONDS = 900;

/** What the choose-new-logins step keeps between its pages; a hash of the password, never the password. */
interface PendingMigrationState {
  pending: PendingMigration;
  /** The legacy password is one the policy refuses now: ask for a new one once the account exists. */
  weakPassword: boolean;
}

async function renderChooseLogins(
  deps: ChooseLoginsDependencies,
  ctx: Context,
  interaction: Interaction,
  pending: PendingMigration,
  form: FormAgain,
  status = 200,
): Promise<void> {
  await renderStep(deps, ctx, interaction, {
    view: 'choose-logins',
    title: translatorFor(ctx)('chooseLogins.title'),
    status,
    locals: {
      taken: pending.taken,
      legacyUsername: pending.profile.username,
      legacyEmail: pending.profile.email ?? '',
      values: form.values ?? {},
      fieldErrors: form.fieldErrors ?? {},
      error: form.error ?? '',
    },
  });
}

/** Starts the step: keeps the confirmed legacy user with this interaction and shows the page. */
export async function askForNewLogins(
  deps: ChooseLoginsDependencies,
  ctx: Context,
  interaction: Interaction,
  state: PendingMigrationState,
): Promise<void> {
  await deps.artifacts.upsert(
    PENDING_MIGRATION,
    interaction.uid,
    state as unknown as Record<string, unknown>,
    PENDING_MIGRATION_TTL_SECONDS,
  );
  await renderChooseLogins(deps, ctx, interaction, state.pending, {});
}

interface ChooseLoginsState extends InteractionState {
  migration: PendingMigrationState;
  values: { username: string; email: string };
}

/** POST /interaction/:uid/logins */
export function chooseLoginsEndpoint(deps: ChooseLoginsDependencies): Step<ChooseLoginsState>[] {
  const again = (ctx: StepContext<ChooseLoginsState>, form: FormAgain, status: number) =>
    renderChooseLogins(deps, ctx, ctx.state.interaction, ctx.state.migration.pending, form, status);
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),

    async function loadPendingMigration(ctx, next) {
      const state = (await deps.artifacts.find(PENDING_MIGRATION, ctx.state.interaction.uid)) as
        (PendingMigrationState & Record<string, unknown>) | undefined;
      if (!state) throw new errors.SessionNotFound('no migration waiting for new logins');
      ctx.state.migration = state;
      ctx.state.values = {
        username: formField(ctx.request.body, 'username'),
        email: formField(ctx.request.body, 'email'),
      };
      await next();
    },

    // Like a sign-up, this answers whether a name is taken (here or in the legacy system): limited the same way.
    limitNameChecks(deps.limiter, again),

    async function chooseLogins(ctx) {
      const { interaction, migration, values } = ctx.state;
      const outcome = await deps.chooseLogins(migration.pending, values);
      const t = translatorFor(ctx);
      switch (outcome.kind) {
        case 'invalid-input':
          await again(ctx, { values, ...formProblems(t, outcome.errors) }, 400);
          return;
        case 'taken':
          await again(
            ctx,
            {
              values,
              ...formProblems(t, Object.fromEntries(outcome.fields.map((field) => [field, CHOSEN_LOGIN_TAKEN]))),
            },
            409,
          );
          return;
        case 'legacy-unavailable':
          ctx.set('retry-after', String(LEGACY_RETRY_AFTER_SECONDS));
          await again(ctx, { values, error: t(CHOOSE_LOGINS_UNAVAILABLE.message) }, CHOOSE_LOGINS_UNAVAILABLE.status);
          return;
        case 'erased': {
          await deps.artifacts.destroy(PENDING_MIGRATION, interaction.uid);
          const refusal = signInRefusal({ kind: 'account-disabled' });
          await again(ctx, { values, error: t(refusal.message) }, refusal.status);
          return;
        }
        case 'signed-in': {
          await deps.artifacts.destroy(PENDING_MIGRATION, interaction.uid);
          const accountId = outcome.account.id;
          // A legacy user who had two-step verification brought it along: the code comes before the sign-in ends
          // (and before a weak password is replaced), as at every sign-in.
          if (await askedForSecondFactor(deps, ctx, interaction, accountId, migration.weakPassword)) return;
          await finishOrAskForNewPassword(deps, ctx, interaction, accountId, migration.weakPassword);
        }
      }
    },
  ];
}
