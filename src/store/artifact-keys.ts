import type { ArtifactPayload } from './store.js';

/**
 * The payload fields artifacts are looked up by, which every store indexes: oidc-provider's (grant, uid, user code)
 * and the account, for an operator's view of its sessions and grants and for revoking them all.
 */
export function artifactIndexKeys(payload: ArtifactPayload): {
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
} {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    grantId: text(payload.grantId),
    uid: text(payload.uid),
    userCode: text(payload.userCode),
    accountId: text(payload.accountId),
  };
}
