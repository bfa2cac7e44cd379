import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { SecretStore } from '../store/store.js';

/**
 * The keys that seal TOTP secrets: the configured ones (`mfa.encryptionKeys` or IDP_MFA_KEYS, newest first), or for
 * development one generated once and kept in the store. A key kept beside what it seals protects nothing against a
 * copy of the store, which is why production mode refuses to start without configured keys.
 */
export async function loadMfaKeys(
  mfa: Config['mfa'],
  secrets: SecretStore,
  logger: Logger,
): Promise<{ id: string; key: Buffer }[]> {
  if (mfa.encryptionKeys) return mfa.encryptionKeys.map(({ id, key }) => ({ id, key: Buffer.from(key, 'base64') }));
  logger.warn('TOTP secrets are sealed with a key kept in the store itself: set mfa.encryptionKeys for production');
  const key = await secrets.getOrCreate('mfa-key', () => randomBytes(32).toString('base64'));
  return [{ id: 'store', key: Buffer.from(key, 'base64') }];
}
