import type { ArtifactPayload } from './store.js';

/** The payload fields oidc-provider looks artifacts up by, which every store indexes. */
export function artifactIndexKeys(payload: ArtifactPayload): { grantId?: string; uid?: string; userCode?: string } {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { grantId: text(payload.grantId), uid: text(payload.uid), userCode: text(payload.userCode) };
}
