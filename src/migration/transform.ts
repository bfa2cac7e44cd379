import { accountProfileSchema, type AccountProfile } from '../accounts/account.js';
import { importOperatorModule } from '../config/operator-module.js';
import type { FieldSource, Mapping, RolesSource } from '../config/schema.js';
import type { LegacyProfile } from '../legacy/connector.js';
import { parseLegacyBoolean, readPath } from '../legacy/legacy-values.js';
import type { LegacyTotpFormat } from '../config/legacy-totp-schema.js';
import { legacyTotpReader, type LegacyTotp } from './legacy-totp.js';

/**
 * Legacy profile → account profile: the declarative mapping from config, then the optional transform module, then
 * validation against the account schema. A profile that fails is never stored; the outcome names the failing
 * fields (never their values, which may be personal data).
 *
 * A TOTP secret (`mapping.totpSecret`) is no account field: it is taken out before validation and carried beside the
 * profile, as `totp` (legacy-totp.ts). A value that cannot be a secret does not refuse the profile: the user
 * migrates without the factor, and the `migrated` event says so.
 */
export type TransformOutcome =
  | { kind: 'valid'; legacyId: string; profile: AccountProfile; identity: MappedIdentity; totp?: LegacyTotp }
  | { kind: 'invalid'; fields: string[]; identity: MappedIdentity };

/**
 * Who the legacy user is as the mapping read them, before validation folds anything (text values only): reports name
 * users by it, even refused ones, and tell logins that clash only once folded (full-width forms, case) by it.
 */
export interface MappedIdentity {
  legacyId?: string;
  username?: string;
  email?: string;
}

/** The mapped profile before validation: what a transform module receives and returns. */
export type MappedProfile = Record<string, unknown>;

/** A transform module's default export. */
export type TransformFunction = (
  mapped: MappedProfile,
  legacy: LegacyProfile,
) => MappedProfile | Promise<MappedProfile>;

export type ProfileTransformer = (legacy: LegacyProfile) => Promise<TransformOutcome>;

export interface TransformerOptions {
  mapping: Mapping;
  emailRequired: boolean;
  /** Path of a JS/TS module exporting a `TransformFunction` as default (or as `transform`). */
  transformModule?: string | undefined;
  /** How the legacy store writes TOTP secrets (`migration.legacyTotp`); default: base32 text, not encrypted. */
  legacyTotp?: LegacyTotpFormat;
  /** Receives a transform module's exception; its message is the operator's to read, not the user's. */
  onModuleError?: (error: unknown) => void;
}

export async function createProfileTransformer(options: TransformerOptions): Promise<ProfileTransformer> {
  const schema = accountProfileSchema({ emailRequired: options.emailRequired });
  const transform = options.transformModule ? await loadTransformModule(options.transformModule) : undefined;
  const readTotp = legacyTotpReader(options.legacyTotp ?? { encoding: 'base32' });

  return async (legacy) => {
    let mapped = applyMapping(options.mapping, legacy);
    if (transform) {
      try {
        mapped = await transform({ ...mapped }, legacy);
      } catch (error) {
        options.onModuleError?.(error);
        return { kind: 'invalid', fields: ['(transform module)'], identity: identityOf(mapped) };
      }
    }
    const { legacyId, totpSecret, ...profile } = mapped;
    const fields: string[] = [];
    const id = typeof legacyId === 'string' ? legacyId.trim() : typeof legacyId === 'number' ? String(legacyId) : '';
    if (id === '') fields.push('legacyId');
    const parsed = schema.safeParse(profile);
    if (!parsed.success)
      fields.push(...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(profile)')));
    if (!parsed.success || fields.length > 0) return { kind: 'invalid', fields, identity: identityOf(mapped) };
    const totp = readTotp(totpSecret);
    return {
      kind: 'valid',
      legacyId: id,
      profile: parsed.data,
      identity: identityOf(mapped),
      ...(totp === undefined ? {} : { totp }),
    };
  };
}

function identityOf(mapped: MappedProfile): MappedIdentity {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  const legacyId = text(mapped.legacyId);
  const username = text(mapped.username);
  const email = text(mapped.email);
  return {
    ...(legacyId === undefined ? {} : { legacyId }),
    ...(username === undefined ? {} : { username }),
    ...(email === undefined ? {} : { email }),
  };
}

async function loadTransformModule(path: string): Promise<TransformFunction> {
  const module = (await importOperatorModule(path)) as { default?: unknown; transform?: unknown };
  const fn = module.default ?? module.transform;
  if (typeof fn !== 'function') {
    throw new Error(`transform module ${path} must export a function as default or as "transform"`);
  }
  return fn as TransformFunction;
}

export function applyMapping(mapping: Mapping, legacy: LegacyProfile): MappedProfile {
  const mapped: MappedProfile = {};
  const { roles, ...fields } = mapping;
  for (const [field, source] of Object.entries(fields) as [string, FieldSource | undefined][]) {
    const value = source === undefined ? undefined : resolveSource(source, legacy);
    // A secret is taken as it is: a number is no base32 text, and must not become one.
    if (value !== undefined)
      mapped[field] =
        field === 'emailVerified'
          ? (parseLegacyBoolean(value) ?? value)
          : field === 'totpSecret'
            ? value
            : toText(value);
  }
  if (roles !== undefined) {
    const value = mapRoles(roles, legacy);
    if (value !== undefined) mapped.roles = value;
  }
  return mapped;
}

function resolveSource(source: FieldSource, legacy: LegacyProfile): unknown {
  if (typeof source === 'string') return readPath(legacy, source);
  if ('path' in source) return readPath(legacy, source.path) ?? source.default;
  if ('template' in source) return fillTemplate(source.template, legacy);
  return source.const;
}

function mapRoles(source: RolesSource, legacy: LegacyProfile): unknown {
  if (typeof source === 'object' && 'map' in source) {
    const names = asList(readPath(legacy, source.path));
    return names.flatMap((name) => {
      const renamed = source.map[name];
      if (renamed !== undefined) return [renamed];
      return source.keepUnmapped ? [name] : [];
    });
  }
  const value = resolveSource(source, legacy);
  return value === undefined ? undefined : asList(value);
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  return items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

function fillTemplate(template: string, legacy: LegacyProfile): string | undefined {
  const text = template
    .replace(/\{([^{}]+)\}/g, (_, path: string) => {
      const value = readPath(legacy, path.trim());
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
    })
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? undefined : text;
}

/** Numbers become text (legacy ids are often numeric); anything else is left for validation to judge. */
function toText(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value;
}
