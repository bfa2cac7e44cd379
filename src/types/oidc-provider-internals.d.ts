// The one internal of oidc-provider the IdP calls (src/oidc/provider-keys.ts): the function its constructor builds
// the keystore and the published JWKS with from `configuration.jwks`. Pinned by the exact version in the lockfile,
// and held to its behaviour by test/oidc/provider-keys.test.ts and the rotation suite.
declare module 'oidc-provider/lib/helpers/initialize_keystore.js' {
  import type Provider from 'oidc-provider';

  export default function initializeKeyStore(this: Provider, jwks: { keys: object[] }): void;
}
