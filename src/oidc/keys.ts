import { generateKeyPair, randomBytes, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import type { SecretBox } from '../security/secret-box.js';
import { sealedSecret } from '../security/secret-keys.js';
import type { SecretStore } from '../store/store.js';

export interface SigningJwk extends JsonWebKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  use: 'sig';
}

/**
 * Cookie signing keys: from config when given (so operators can rotate them), otherwise generated once and kept in
 * the store, sealed.
 */
export async function loadCookieKeys(
  secrets: SecretStore,
  box: SecretBox,
  configured: string[] | undefined,
): Promise<string[]> {
  if (configured) return configured;
  return sealedSecret(secrets, box, 'cookie-keys', () => [randomBytes(32).toString('base64url')]);
}

const generate = promisify(generateKeyPair);

/** A new private signing key, with a random kid; generated off the event loop (an RSA key takes ~100 ms). */
export async function generateSigningKey(alg: SigningJwk['alg']): Promise<SigningJwk> {
  const { privateKey } =
    alg === 'RS256' ? await generate('rsa', { modulusLength: 2048 }) : await generate('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(12).toString('base64url'), alg, use: 'sig' };
}
