import type Provider from 'oidc-provider';
import initializeKeyStore from 'oidc-provider/lib/helpers/initialize_keystore.js';
import type { KeyRingState } from './key-ring.js';
import type { SigningJwk } from './keys.js';

/**
 * oidc-provider reads its keystore at every signature and every JWKS answer, but builds it only once, from the
 * configuration; its documentation's way to change keys is a restart. Rotating keys without one, this hands a new
 * key set to the same internal function the constructor uses (the version is pinned; test/oidc/provider-keys.test.ts
 * fails if it stops working so).
 */

/**
 * The JWKS oidc-provider is given: the keys that sign first, then those only published (ahead of signing, or kept
 * for the tokens they signed), marked verify-only (`key_ops`) so that oidc-provider never picks one to sign with.
 */
export function providerJwks(state: KeyRingState): { keys: SigningJwk[] } {
  const signing = new Set(state.signing);
  return {
    keys: state.published.map((jwk) => (signing.has(jwk) ? jwk : { ...jwk, key_ops: ['verify'] })),
  };
}

/** Makes `provider` sign and publish as `state` says, from its next request on. */
export function useKeys(provider: Provider, state: KeyRingState): void {
  initializeKeyStore.call(provider, providerJwks(state));
}
