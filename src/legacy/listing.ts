import type { LegacyUserRecord } from './connector.js';
import { legacyHashOptionsSchema, legacyHashSchemes } from './hashes/legacy-hash.js';

/**
 * A listed legacy user (HTTP listing, import file line) as a record: the contract's optional `passwordHash`,
 * `hashScheme` and `salt` fields become the kept hash and leave the profile, so they can never be mapped onto an
 * account field.
 */
export function recordFromListing(user: Readonly<Record<string, unknown>>): LegacyUserRecord {
  const { passwordHash, hashScheme, salt, ...profile } = user;
  if (typeof passwordHash !== 'string' || passwordHash.trim() === '') return { profile };
  const scheme = legacyHashSchemes.find((known) => known === hashScheme) ?? 'detect';
  return {
    profile,
    password: {
      hash: passwordHash,
      options: legacyHashOptionsSchema.parse({ scheme }),
      salt: typeof salt === 'string' && salt !== '' ? salt : undefined,
    },
  };
}
