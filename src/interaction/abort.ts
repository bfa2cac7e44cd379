import { parseForm } from '../http/forms.js';
import { finishInteraction, loadInteraction, type InteractionDependencies, type Step } from './interaction-steps.js';

/** POST /interaction/:uid/abort: the user cancels; the application is told so (`access_denied`). */
export function abortEndpoint(deps: Pick<InteractionDependencies, 'provider' | 'csrf'>): Step[] {
  return [
    parseForm,
    deps.csrf.check,
    loadInteraction(deps.provider),
    async function cancel(ctx) {
      await finishInteraction(ctx, ctx.state.interaction, {
        error: 'access_denied',
        error_description: 'The user cancelled the sign-in.',
      });
    },
  ];
}
