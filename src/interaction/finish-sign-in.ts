import type { Context } from 'koa';
import { acrFor } from '../oidc/login-policy.js';
import { finishInteraction, type Interaction } from './interaction-steps.js';

/** How a sign-in with a password alone is authenticated (RFC 8176). */
export const PASSWORD_ONLY: readonly string[] = ['pwd'];

/**
 * The account is signed in: oidc-provider continues the authorization request. `amr` (RFC 8176) says how, and the
 * `acr` it reached follows from it; both reach the ID token.
 */
export async function finishSignIn(
  ctx: Context,
  interaction: Interaction,
  accountId: string,
  amr: readonly string[] = PASSWORD_ONLY,
): Promise<void> {
  await finishInteraction(ctx, interaction, { login: { accountId, amr: [...amr], acr: acrFor(amr) } });
}
