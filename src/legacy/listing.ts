import type { LegacyUserRecord } from './connector.js';
import { legacyHashOptionsSchema, legacyHashSchemes } from '../passwords/legacy/legacy-hash.js';
import { hashOptionsForRow, legacyHashConfigSchema } from '../passwords/legacy/scheme-names.js';
import { parseLegacyBoolean, readPath } from './legacy-values.js';

/**
 * A listed legacy user (HTTP listing, import file line) as a record: the contract's optional `passwordHash`,
 * `hashScheme` and `salt` fields become the kept hash and leave the profile, so they can never be mapped onto an
 * account field.
 */
export function recordFromListing(user: Readonly<Record<string, unknown>>, disabledField?: string): LegacyUserRecord {
  const { passwordHash, hashScheme, salt, ...profile } = user;
  const disabled = disabledOf(profile, disabledField);
  const status = disabled === undefined ? {} : { disabled };
  if (typeof passwordHash !== 'string' || passwordHash.trim() === '') return { profile, ...status };
  const options = listedHashOptions(hashScheme);
  if ('unsupported' in options) return { profile, ...status, passwordProblem: options.unsupported };
  return {
    profile,
    ...status,
    password: { hash: passwordHash, options, salt: typeof salt === 'string' && salt !== '' ? salt : undefined },
  };
}

const BUILT_IN_NAMES = legacyHashConfigSchema.parse({});

/**
 * A listing's `hashScheme`: one of the IdP's scheme names (`sha512-crypt`, `salted-sha1` …) or a name legacy
 * stores use (`md5`, `pbkdf2_sha256` …); none or an unknown one means detection.
 */
export function listedHashOptions(hashScheme: unknown): ReturnType<typeof hashOptionsForRow> {
  const scheme = legacyHashSchemes.find((known) => known === hashScheme);
  return scheme ? legacyHashOptionsSchema.parse({ scheme }) : hashOptionsForRow(BUILT_IN_NAMES, hashScheme);
}

/** The configured "disabled" field of a profile as a legacy boolean; undefined when none is configured. */
export function disabledOf(profile: Readonly<Record<string, unknown>>, field: string | undefined): boolean | undefined {
  return field === undefined ? undefined : disabledFlag(readPath(profile, field));
}

/**
 * A legacy "disabled" value, from any connector: absent means not disabled; one that cannot be read as yes/no
 * counts as disabled, so neither a password reset nor an import can be the way around a blocked account.
 */
export function disabledFlag(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return parseLegacyBoolean(value) ?? true;
}
