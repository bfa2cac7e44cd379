import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { configSchema, type Config, type LegacyConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadedConfig {
  config: Config;
  /** The file the values came from, if any. */
  file: string | undefined;
  production: boolean;
}

const DEFAULT_FILE = 'config/idp.json';

/** Defaults, then the JSON file, then environment variables; validated once, every problem reported by key. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): LoadedConfig {
  const file = env.IDP_CONFIG ? resolve(cwd, env.IDP_CONFIG) : existingFile(resolve(cwd, DEFAULT_FILE));
  const problems: string[] = [];
  let raw: unknown = {};
  if (file) {
    raw = readJson(file, problems);
    raw = interpolateEnv(raw, env, [], problems);
  }
  const merged = applyEnvOverrides(isPlainObject(raw) ? raw : {}, env, problems);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) problems.push(...formatIssues(parsed.error.issues));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const production = env.NODE_ENV === 'production';
  if (production) {
    const missing = productionProblems(parsed.data, env);
    if (missing.length > 0) throw new ConfigError(missing.map((m) => `production mode (NODE_ENV=production): ${m}`));
  }
  return { config: parsed.data, file, production };
}

/** Development defaults that must never reach production, each named by the setting that fixes it. */
export function productionProblems(config: Config, env: Env): string[] {
  const problems: string[] = [];
  const issuer = new URL(config.issuer);
  if (issuer.protocol !== 'https:')
    problems.push(`issuer must be an https URL (set "issuer" or ISSUER), got ${config.issuer}`);
  if (!config.legacy) problems.push('"legacy" is not configured: demo mode is for development only');
  else if (carriesPasswordsInTheClear(config.legacy)) {
    problems.push(
      'the legacy connection carries passwords unencrypted: use https:// or ldaps:// (or startTls), or set ' +
        'legacy.allowInsecureTransport for a trusted private network',
    );
  }
  if (config.clients.length === 0) problems.push('"clients" is empty: declare the client applications');
  if (!config.mail.smtpUrl) problems.push('"mail.smtpUrl" is not configured: password reset mail would go nowhere');
  if (config.mail.outbox)
    problems.push('"mail.outbox" shows every mail, reset links included, to anyone: not in production');
  if (!config.cookies.keys && !env.IDP_COOKIE_KEYS) {
    // Generated keys would work, but an operator must be able to rotate them without touching the database.
    problems.push('cookie keys are not configured (set "cookies.keys" or IDP_COOKIE_KEYS)');
  }
  if (!config.secretKeys && !config.mfa.encryptionKeys) {
    problems.push(
      'signing keys and other secrets would be encrypted with a key kept beside them (set "secretKeys" or ' +
        'IDP_SECRET_KEYS)',
    );
  }
  return problems;
}

/** HTTP and LDAP connectors send every first sign-in's password to the legacy system. */
function carriesPasswordsInTheClear(legacy: LegacyConfig): boolean {
  switch (legacy.kind) {
    case 'http':
      return new URL(legacy.baseUrl).protocol !== 'https:' && !legacy.allowInsecureTransport;
    case 'ldap':
      return legacy.url.startsWith('ldap://') && !legacy.startTls && !legacy.allowInsecureTransport;
    case 'sql':
    case 'module':
      // SQL hashes are verified by the IdP; a module's transport is its own business.
      return false;
  }
}

function existingFile(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

function readJson(file: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return {};
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    problems.push(`config file ${file} is not valid JSON: ${(error as Error).message}`);
    return {};
  }
}

const ENV_REFERENCE = /^\$\{([A-Z_][A-Z0-9_]*)\}$/;

/** Replaces every `"${NAME}"` string with the environment variable, so secrets stay out of the file. */
function interpolateEnv(value: unknown, env: Env, path: string[], problems: string[]): unknown {
  if (typeof value === 'string') {
    const match = ENV_REFERENCE.exec(value);
    if (!match?.[1]) return value;
    const resolved = env[match[1]];
    if (resolved === undefined) problems.push(`${path.join('.')}: environment variable ${match[1]} is not set`);
    return resolved;
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, [...path, String(i)], problems));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, [...path, key], problems)]),
    );
  }
  return value;
}

function applyEnvOverrides(base: Record<string, unknown>, env: Env, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  const store = { ...(isPlainObject(base.store) ? base.store : {}) };
  if (env.PORT !== undefined) out.port = toInteger('PORT', env.PORT, problems);
  if (env.HOST) out.host = env.HOST;
  if (env.ISSUER) out.issuer = env.ISSUER;
  if (env.LOG_LEVEL) out.logLevel = env.LOG_LEVEL;
  if (env.WORKERS) out.workers = env.WORKERS === 'auto' ? 'auto' : toInteger('WORKERS', env.WORKERS, problems);
  if (env.MONGODB_URI) store.mongodbUri = env.MONGODB_URI;
  if (env.DATABASE_URL) store.databaseUrl = env.DATABASE_URL;
  if (env.IDP_SQLITE_PATH) store.sqlitePath = env.IDP_SQLITE_PATH;
  out.store = store;
  if (env.IDP_COOKIE_KEYS) {
    out.cookies = { ...(isPlainObject(base.cookies) ? base.cookies : {}), keys: env.IDP_COOKIE_KEYS.split(',') };
  }
  // `id:base64key`, newest first, comma-separated (base64 has no ',' or ':').
  const keyList = (text: string) =>
    text.split(',').map((entry) => {
      const [id = '', key = ''] = entry.split(':');
      return { id, key };
    });
  if (env.IDP_SECRET_KEYS) out.secretKeys = keyList(env.IDP_SECRET_KEYS);
  if (env.IDP_MFA_KEYS)
    out.mfa = { ...(isPlainObject(base.mfa) ? base.mfa : {}), encryptionKeys: keyList(env.IDP_MFA_KEYS) };
  return out;
}

function toInteger(name: string, value: string, problems: string[]): number | undefined {
  const n = Number(value);
  if (!Number.isInteger(n)) {
    problems.push(`${name}: expected an integer, got "${value}"`);
    return undefined;
  }
  return n;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
