import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import type { SecretStore } from '../store/store.js';

/**
 * The key-encryption keys (`secretKeys` or IDP_SECRET_KEYS, newest first) and what they seal: every secret the store
 * keeps (token signing keys, generated cookie, CSRF and rate-limit keys, TOTP secrets) is AES-256-GCM under them,
 * so a copy of the store alone opens nothing. Without configured keys (development) one is generated and kept in the
 * store itself, which protects nothing against a copy of the store: production mode refuses to start so.
 */
export async function openSecretBox(config: Config, secrets: SecretStore, logger: Logger): Promise<SecretBox> {
  const configured = config.secretKeys ?? config.mfa.encryptionKeys;
  if (configured) return createSecretBox(configured.map(({ id, key }) => ({ id, key: Buffer.from(key, 'base64') })));
  logger.warn('secrets are sealed with a key kept in the store itself: set secretKeys (IDP_SECRET_KEYS) in production');
  // Named as when it sealed TOTP secrets alone, so stores made then keep opening.
  const key = await secrets.getOrCreate('mfa-key', () => randomBytes(32).toString('base64'));
  return createSecretBox([{ id: 'store', key: Buffer.from(key, 'base64') }]);
}

/**
 * A secret made once per store (`create`) and shared by every process, kept sealed under the name `<name>.sealed`.
 * A value an earlier version kept in clear under `name` becomes the sealed one and leaves the store; one sealed by
 * an older key is sealed anew under the current key, so that key can leave the configuration.
 */
export async function sealedSecret<T>(secrets: SecretStore, box: SecretBox, name: string, create: () => T): Promise<T> {
  const clear = await secrets.find<T>(name);
  const sealedName = `${name}.sealed`;
  // Every process that finds the clear value seals that same value, so whichever seal is stored, all agree.
  const sealed = await secrets.getOrCreate(sealedName, () => box.seal(JSON.stringify(clear ?? create()), name));
  if (clear !== undefined) await secrets.remove(name);
  const opened = box.open(sealed, name);
  if (opened.kind !== 'opened') {
    throw new Error(
      `the stored secret "${name}" cannot be opened: ${
        opened.kind === 'unknown-key'
          ? `it is sealed with key "${opened.keyId}", which is not among secretKeys`
          : 'it was altered, or sealed by another deployment'
      }`,
    );
  }
  if (box.needsResealing(sealed)) await secrets.put(sealedName, box.seal(opened.plaintext, name));
  return JSON.parse(opened.plaintext) as T;
}

/** A random key made once per store and kept sealed (rate-limit, lease, CSRF, tombstone keys). */
export function storeKey(secrets: SecretStore, box: SecretBox, name: string): Promise<string> {
  return sealedSecret(secrets, box, name, () => randomBytes(32).toString('base64url'));
}
