import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import type { Account } from '../accounts/account.js';
import { formField, parseForm } from '../http/forms.js';
import { translatorFor } from '../i18n/request-locale.js';
import type { MessageKey } from '../i18n/translator.js';
import type { PasskeyOfferAnswer } from '../mfa/passkey-offer.js';
import { finishSignIn, PASSWORD_ONLY } from './finish-sign-in.js';
import {
  answerPasskeyOptions,
  loadInteraction,
  renderStep,
  type Interaction,
  type InteractionDependencies,
  type InteractionState,
  type Step,
} from './interaction-steps.js';

/**
 * The last page of a password sign-in, for an account without a passkey whose browser can make one: "Add a
 * passkey?" (see `PasskeyOffer`). Adding one is the account page's ceremony, bound to this interaction instead of a
 * session; "Not now" and "Don't ask again" go straight on. The sign-in completes with the `amr` it had either way:
 * making a passkey is not using one.
 */

export type PasskeyOfferDependencies = Pick<
  InteractionDependencies,
  'provider' | 'render' | 'accounts' | 'artifacts' | 'passkeys' | 'passkeyOffer'
>;

const PENDING = 'PasskeyOfferStep';
/**
 * The offer's answer is recorded by whichever submission takes this (once); the offer itself stays until it expires,
 * so a second submission of the same answer (a double click) finds it and completes the sign-in too.
 */
const unanswered = (interaction: Interaction) => `${interaction.uid}:unanswered`;
/** As long as the other steps of a sign-in wait. */
const PENDING_TTL_SECONDS = 600;

/**
 * Whether the browser can make a passkey: /assets/passkeys.js sets `passkey_ready` on every form that can end a
 * sign-in when it can (JavaScript on, WebAuthn there), so a browser that cannot is never shown an offer it cannot
 * take.
 */
const browserReady = (ctx: Context) => formField(ctx.request.body, 'passkey_ready') === '1';

async function renderOffer(
  deps: PasskeyOfferDependencies,
  ctx: Context,
  interaction: Interaction,
  error = '',
  status = 200,
): Promise<void> {
  await renderStep(deps, ctx, interaction, {
    view: 'passkey-offer',
    title: translatorFor(ctx)('passkeyOffer.title'),
    status,
    locals: { error },
  });
}

/** The end of a password sign-in: the offer of a passkey when there is one to make, otherwise the sign-in finishes. */
export async function finishOrOfferPasskey(
  deps: PasskeyOfferDependencies,
  ctx: Context,
  interaction: Interaction,
  accountId: string,
  amr: readonly string[],
): Promise<void> {
  const account = await deps.passkeyOffer.offerTo(accountId, { amr, browserReady: browserReady(ctx) });
  if (!account) {
    await finishSignIn(ctx, interaction, accountId, amr);
    return;
  }
  await deps.artifacts.upsert(PENDING, interaction.uid, { accountId, amr: [...amr] }, PENDING_TTL_SECONDS);
  await deps.artifacts.upsert(PENDING, unanswered(interaction), {}, PENDING_TTL_SECONDS);
  await renderOffer(deps, ctx, interaction);
}

interface Pending {
  account: Account;
  amr: readonly string[];
}

interface OfferState extends InteractionState {
  pending: Pending;
}

function loadPendingOffer(deps: PasskeyOfferDependencies): Step<OfferState> {
  return async function loadPendingOffer(ctx, next) {
    const pending = await deps.artifacts.find(PENDING, ctx.state.interaction.uid);
    const account =
      typeof pending?.accountId === 'string' ? await deps.accounts.findById(pending.accountId) : undefined;
    if (!pending || !account) throw new errors.SessionNotFound('no passkey offer pending');
    const amr = Array.isArray(pending.amr) ? pending.amr.filter((m): m is string => typeof m === 'string') : [];
    ctx.state.pending = { account, amr: amr.length > 0 ? amr : PASSWORD_ONLY };
    await next();
  };
}

/** Where the passkey's challenge waits: this sign-in, not a session (there is none yet). */
const ceremonyOf = (interaction: Interaction) => `interaction:${interaction.uid}`;

/** POST /interaction/:uid/passkey-offer/options: options for `navigator.credentials.create()`, as JSON. */
export function passkeyOfferOptionsEndpoint(
  deps: PasskeyOfferDependencies & Pick<InteractionDependencies, 'csrf'>,
): Step<OfferState>[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),
    loadPendingOffer(deps),

    answerPasskeyOptions(deps.passkeys, (ctx) =>
      deps.passkeys.registrationOptions(ctx.state.pending.account, ceremonyOf(ctx.state.interaction)),
    ),
  ];
}

const ANSWERS = new Map<string, PasskeyOfferAnswer>([
  ['later', 'later'],
  ['never', 'declined'],
]);
const PASSKEY_NOT_ADDED: MessageKey = 'passkeyOffer.error.notAdded';
const PASSKEY_EXPIRED: MessageKey = 'passkeyOffer.error.expired';
const ALREADY_REGISTERED: MessageKey = 'passkeyOffer.error.alreadyRegistered';

/** POST /interaction/:uid/passkey-offer: the browser's new passkey, or "not now" / "don't ask again". */
export function passkeyOfferEndpoint(
  deps: PasskeyOfferDependencies & Pick<InteractionDependencies, 'csrf'>,
): Step<OfferState>[] {
  /** Of two submissions of one answer (a double click), one records it; both finish the sign-in. */
  const settle = async (interaction: Interaction, accountId: string, answer: PasskeyOfferAnswer) => {
    if (await deps.artifacts.take(PENDING, unanswered(interaction)))
      await deps.passkeyOffer.answered(accountId, answer);
  };

  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider, 'login'),
    loadPendingOffer(deps),

    async function answer(ctx, next) {
      const { interaction, pending } = ctx.state;
      const response = formField(ctx.request.body, 'response');
      if (response === '') {
        const answer = ANSWERS.get(formField(ctx.request.body, 'answer'));
        if (!answer) throw new errors.InvalidRequest('answer must be "later" or "never"');
        await settle(interaction, pending.account.id, answer);
        await next();
        return;
      }
      const outcome = await deps.passkeys.register(pending.account, ceremonyOf(interaction), response, '');
      if (outcome.kind === 'registered') {
        await settle(interaction, pending.account.id, 'added');
        await next();
        return;
      }
      // The same answer sent twice at once: the other submission used the challenge and added the passkey.
      if (outcome.kind === 'expired' && !(await deps.artifacts.find(PENDING, unanswered(interaction)))) {
        await next();
        return;
      }
      const error =
        outcome.kind === 'expired'
          ? PASSKEY_EXPIRED
          : outcome.kind === 'already-registered'
            ? ALREADY_REGISTERED
            : PASSKEY_NOT_ADDED;
      await renderOffer(deps, ctx, interaction, translatorFor(ctx)(error), 400);
    },

    async function finish(ctx) {
      const { pending } = ctx.state;
      await finishSignIn(ctx, ctx.state.interaction, pending.account.id, pending.amr);
    },
  ];
}
