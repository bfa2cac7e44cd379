import type { Provider } from 'oidc-provider';
import type { Logger } from '../log/logger.js';
import type { ArtifactStore } from '../store/store.js';

/**
 * Ends every session, grant and token of an account (an operator's "sign out everywhere", a switched-off or deleted
 * account), and tells each relying party that registered a back-channel logout URI, as a sign-out at the IdP does:
 * a logout token per session the client took part in (OpenID Connect Back-Channel Logout 1.0, oidc-provider's own
 * `Client#backchannelLogout`). A relying party that does not answer keeps its own session: it is logged, and the
 * IdP's side ends regardless.
 */
export type EndSessions = (accountId: string, only?: { sessionId: string }) => Promise<void>;

interface BackchannelClient {
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

export function createEndSessions(deps: { provider: Provider; artifacts: ArtifactStore; logger: Logger }): EndSessions {
  const log = deps.logger.child({ component: 'oidc' });
  return async (accountId, only) => {
    const sessions = (await deps.artifacts.findByAccount('Session', accountId)).filter(
      (session) => only === undefined || session.jti === only.sessionId,
    );
    const notices: Promise<void>[] = [];
    for (const session of sessions) {
      const authorizations = (session.authorizations ?? {}) as Record<string, { sid?: unknown }>;
      for (const [clientId, { sid }] of Object.entries(authorizations)) {
        if (typeof sid !== 'string') continue;
        notices.push(
          (async () => {
            const client = await deps.provider.Client.find(clientId);
            if (!client?.backchannelLogoutUri) return;
            try {
              // Public in oidc-provider (end_session calls it), absent from @types/oidc-provider.
              await (client as unknown as BackchannelClient).backchannelLogout(accountId, sid);
              log.info({ clientId, accountId }, 'back-channel logout delivered');
            } catch (error) {
              log.warn({ err: error, clientId, accountId, sid }, 'back-channel logout failed');
            }
          })(),
        );
      }
    }
    await Promise.all(notices);
    if (only === undefined) {
      await deps.artifacts.revokeByAccount(accountId);
      return;
    }
    // One session (a user's "sign out" of another device): it and the grants (with their tokens) made in it.
    for (const session of sessions) {
      const authorizations = (session.authorizations ?? {}) as Record<string, { grantId?: unknown }>;
      for (const { grantId } of Object.values(authorizations)) {
        if (typeof grantId !== 'string') continue;
        await deps.artifacts.revokeByGrantId(grantId);
        await deps.artifacts.destroy('Grant', grantId);
      }
      await deps.artifacts.destroy('Session', only.sessionId);
    }
  };
}
