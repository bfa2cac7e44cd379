import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { legacyDecoyHash } from '../passwords/decoys.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { SqlConnectorConfig } from '../config/legacy-schema.js';
import type { LegacyHashOptions, LegacyHashVerdict } from '../passwords/legacy/legacy-hash.js';
import { hashOptionsForRow } from '../passwords/legacy/scheme-names.js';
import type {
  AuthenticateOutcome,
  FindUserOutcome,
  LegacyConnector,
  LegacyProfile,
  LegacyUserRecord,
} from './connector.js';
import { parseLegacyBoolean, toProfileValue } from './legacy-values.js';
import { disabledFlag } from './listing.js';

/**
 * A legacy user table read directly (PostgreSQL through pg, MySQL/MariaDB through mysql2). The connector reads the
 * user's row and the IdP verifies the stored hash itself, so the legacy database needs only a read-only role; the
 * hash and salt columns never leave this file.
 */

type Row = Record<string, unknown>;

/**
 * The few things the connector needs from a database driver. Each statement has one text parameter: the login, the
 * legacy id for the write-back, or the last id read (null at first) for the listing: `$1` in PostgreSQL, `:login` /
 * `:id` / `:after` in MySQL (named, so it may repeat).
 */
interface SqlDatabase {
  /** `value` undefined: a statement without a parameter. */
  query(sql: string, value: string | null | undefined): Promise<Row[]>;
  close(): Promise<void>;
}

/** Rows one login may match that are each tried against the password; beyond that the login is ambiguous. */
const MAX_ROWS_PER_LOGIN = 4;

export function createSqlConnector(config: SqlConnectorConfig, hasher: PasswordHasher): LegacyConnector {
  const db = openDatabase(config.url, config, config.poolSize);
  // The write-back runs on its own connection, ideally as its own role (UPDATE on one column), so the role that
  // reads hashes never needs to write and the role that writes never needs to read hashes.
  const writeBack = writeBackOf(config);
  const writer = writeBack?.url === undefined ? db : openDatabase(writeBack.url, config, 1);
  const { columns } = config;

  const lookUp = async (login: string): Promise<{ rows: Row[] } | { failed: string } | { noMatch: true }> => {
    try {
      return { rows: await db.query(config.userQuery, login) };
    } catch (error) {
      // A login the database cannot even compare (e.g. a NUL byte in PostgreSQL) matches no one: that is not an
      // outage, and must not let odd input open the circuit for everyone.
      if (isDataException(error)) return { noMatch: true };
      return { failed: describe(error) };
    }
  };

  // An unknown login still costs one verification, so response time does not tell known logins from unknown ones.
  const baseOptions = baseHashOptions(config);
  let decoy: ReturnType<typeof legacyDecoyHash> | undefined;
  const spendDecoy = async (password: string) => {
    decoy ??= legacyDecoyHash(baseOptions, hasher);
    const { hash, salt, options } = await decoy;
    await hasher.verifyLegacy(password, hash, options, salt);
  };

  /** The password against one row's stored hash, with the row's own scheme. */
  const judge = async (row: Row, password: string): Promise<{ row: Row; verdict: LegacyHashVerdict }> => {
    const stored = storedHashOf(row, config);
    if ('unsupported' in stored) return { row, verdict: { kind: 'unsupported', reason: stored.unsupported } };
    return { row, verdict: await hasher.verifyLegacy(password, stored.hash, stored.options, stored.salt) };
  };

  return {
    source: config.source,
    passwordJudge: 'stored-hash',

    async authenticate(login, password, { signal }): Promise<AuthenticateOutcome> {
      const found = await lookUp(login);
      if ('failed' in found) return { kind: 'unavailable', cause: found.failed };
      if ('noMatch' in found || found.rows.length === 0) {
        await spendDecoy(password);
        return { kind: 'invalid' };
      }
      if (found.rows.length > MAX_ROWS_PER_LOGIN) {
        await spendDecoy(password);
        return ambiguous(`${found.rows.length} records match one login`);
      }
      // Several rows (a shared email, logins a case-insensitive collation folds together): the password picks one.
      const judged = await Promise.all(found.rows.map((row) => judge(row, password)));
      if (expired(signal)) return { kind: 'unavailable', cause: 'timeout' };
      const matches = judged.filter(({ verdict }) => verdict.kind === 'match');
      const unjudgeable = judged.filter(({ verdict }) => verdict.kind === 'unsupported');
      if (matches.length > 1) return ambiguous(`the password matches ${matches.length} of the records for one login`);
      const [match] = matches;
      if (!match) {
        if (unjudgeable.length === 0) return { kind: 'invalid' };
        // One of the records whose hash nobody can judge may be this user's: the operator's to fix, not a "wrong".
        const [only] = unjudgeable;
        if (unjudgeable.length > 1 || !only) return ambiguous('several records for one login cannot be judged');
        const legacyId = legacyIdOf(only.row, columns.id);
        return {
          kind: 'unjudgeable',
          reason: 'unsupported_hash',
          cause: only.verdict.kind === 'unsupported' ? only.verdict.reason : 'unsupported',
          ...(legacyId === undefined ? {} : { legacyId }),
        };
      }
      const { row } = match;
      if (legacyIdOf(row, columns.id) === undefined) return { kind: 'unusable', cause: 'the record has no id' };
      if (columns.disabled === undefined) return { kind: 'valid', profile: profileOf(row, config) };
      // Only a caller who knows the password learns that the account is disabled.
      const value = row[columns.disabled];
      const disabled = value === null ? false : parseLegacyBoolean(value);
      if (disabled === undefined) return { kind: 'unusable', cause: 'the disabled column holds no yes/no value' };
      return disabled ? { kind: 'disabled' } : { kind: 'valid', profile: profileOf(row, config) };
    },

    async findUser(login): Promise<FindUserOutcome> {
      const found = await lookUp(login);
      if ('failed' in found) return { kind: 'unavailable', cause: found.failed };
      if ('noMatch' in found) return { kind: 'not-found' };
      const [row] = found.rows;
      if (!row) return { kind: 'not-found' };
      return { kind: 'found', profile: profileOf(row, config), ...disabledColumn(row, columns.disabled) };
    },

    ...(writeBack === undefined
      ? {}
      : {
          async afterMigration(legacyId: string) {
            try {
              await writer.query(writeBack.query, legacyId);
              return { kind: 'done' as const };
            } catch (error) {
              return { kind: 'failed' as const, cause: describe(error) };
            }
          },
        }),

    ...(config.listQuery === undefined
      ? {}
      : {
          async *enumerateUsers(resumeFrom: string | undefined) {
            let after = resumeFrom ?? null;
            for (;;) {
              const rows = await db.query(config.listQuery as string, after);
              const last = rows.at(-1);
              if (!last) return;
              const lastId = legacyIdOf(last, columns.id);
              if (lastId === undefined) throw new Error('the listing returned a row without an id');
              yield { records: rows.map((row) => recordOf(row, config)), resumeFrom: lastId };
              after = lastId;
            }
          },
        }),

    ...(config.countQuery === undefined
      ? {}
      : {
          async countUsers() {
            const [row] = await db.query(config.countQuery as string, undefined);
            const count = Number(row === undefined ? Number.NaN : Object.values(row)[0]);
            return Number.isSafeInteger(count) && count >= 0 ? count : undefined;
          },
        }),

    close: async () => {
      await db.close();
      if (writer !== db) await writer.close();
    },
  };
}

function ambiguous(cause: string): AuthenticateOutcome {
  return { kind: 'unjudgeable', reason: 'ambiguous_login', cause };
}

/** The write-back statement and, in its own-connection form, the URL (with the writing role's credentials). */
function writeBackOf(config: SqlConnectorConfig): { query: string; url?: string } | undefined {
  if (config.writeBack === undefined) return undefined;
  return typeof config.writeBack === 'string' ? { query: config.writeBack } : config.writeBack;
}

/**
 * A row's stored hash with the options to verify it: the configured scheme, or the one the row names, and the
 * salt column. Unsupported when the row holds no hash or salt the IdP can read.
 */
function storedHashOf(
  row: Row,
  config: SqlConnectorConfig,
): { hash: string; options: LegacyHashOptions; salt: string | undefined } | { unsupported: string } {
  const hash = row[config.columns.passwordHash];
  if (typeof hash !== 'string' || hash.trim() === '') return { unsupported: 'the record has no password hash' };
  const salt = saltOf(row, config.columns.salt);
  if (salt === null) return { unsupported: 'the salt column holds neither text nor bytes' };
  const { scheme } = config.columns;
  const options = hashOptionsForRow(config.hash, scheme === undefined ? undefined : row[scheme]);
  if ('unsupported' in options) return options;
  return { hash, options: { ...options, ...salt?.encoding }, salt: salt?.value };
}

/** The options of a row that names no scheme: what the decoy of an unknown login is made like. */
function baseHashOptions(config: SqlConnectorConfig): LegacyHashOptions {
  const options = hashOptionsForRow(config.hash, undefined);
  // A row without a name always gets the (already validated) base options.
  if ('unsupported' in options) throw new Error(options.unsupported);
  return options;
}

/** A listed row for a bulk import: its profile, and its hash (with salt) to keep until the user's next sign-in. */
function recordOf(row: Row, config: SqlConnectorConfig): LegacyUserRecord {
  const stored = storedHashOf(row, config);
  const base = { profile: profileOf(row, config), ...disabledColumn(row, config.columns.disabled) };
  if ('unsupported' in stored) return { ...base, passwordProblem: stored.unsupported };
  return { ...base, password: stored };
}

/** The disabled column as a look-up or listing reports it; without one, unknown. */
function disabledColumn(row: Row, column: string | undefined): { disabled?: boolean } {
  return column === undefined ? {} : { disabled: disabledFlag(row[column]) };
}

/** The row as a legacy profile: every column but the secrets, the id as text under its own column name. */
function profileOf(row: Row, config: SqlConnectorConfig): LegacyProfile {
  // The scheme column is no secret, but nothing a profile should carry either.
  const secret = new Set([config.columns.passwordHash, config.columns.salt, config.columns.scheme]);
  const profile: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (secret.has(column)) continue;
    const converted = toProfileValue(value);
    if (converted !== undefined) profile[column] = converted;
  }
  profile[config.columns.id] = legacyIdOf(row, config.columns.id);
  return profile;
}

function legacyIdOf(row: Row, column: string): string | undefined {
  const id = row[column];
  if (typeof id === 'string' && id.trim() !== '') return id;
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  return undefined;
}

/** The database at `url` (the reading role, or the writing role of the write-back), pg or mysql2 by its scheme. */
function openDatabase(url: string, config: SqlConnectorConfig, poolSize: number): SqlDatabase {
  return url.startsWith('postgres') ? openPostgres(url, config, poolSize) : openMysql(url, config, poolSize);
}

function tlsOf(config: SqlConnectorConfig) {
  if (!config.tls) return undefined;
  return {
    rejectUnauthorized: config.tls.rejectUnauthorized,
    ...(config.tls.caFile ? { ca: readFileSync(config.tls.caFile, 'utf8') } : {}),
  };
}

function openPostgres(url: string, config: SqlConnectorConfig, poolSize: number): SqlDatabase {
  const tls = tlsOf(config);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: config.timeoutMs,
    // The server cancels a query that outlives the call's budget, so a slow query does not hold a connection.
    statement_timeout: config.timeoutMs,
    query_timeout: config.timeoutMs,
    ...(tls ? { ssl: tls } : {}),
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return {
    query: async (sql, value) => (await pool.query<Row>(sql, value === undefined ? [] : [value])).rows,
    close: () => pool.end(),
  };
}

function openMysql(url: string, config: SqlConnectorConfig, poolSize: number): SqlDatabase {
  const tls = tlsOf(config);
  const pool = mysql.createPool({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: poolSize,
    connectTimeout: config.timeoutMs,
    // Big integers as text: legacy ids must not lose digits.
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: false,
    namedPlaceholders: true,
    ...(tls ? { ssl: tls } : {}),
  });
  // The server stops a statement that outlives the call's budget (MariaDB: max_statement_time, in seconds; MySQL:
  // max_execution_time, in ms), so a slow query neither holds a connection nor runs on after the caller gave up.
  const seconds = (config.timeoutMs / 1000).toFixed(3);
  pool.on('connection', (connection) => {
    const core = connection as unknown as { query(sql: string, callback: (error: unknown) => void): void };
    core.query(`SET SESSION max_statement_time = ${seconds}`, (error) => {
      if (error) core.query(`SET SESSION max_execution_time = ${config.timeoutMs}`, () => undefined);
    });
  });
  return {
    async query(sql, value) {
      const parameters: Record<string, string | null> =
        value === undefined ? {} : { login: value, id: value, after: value };
      const [rows] = await pool.execute({ sql, timeout: config.timeoutMs }, parameters);
      return Array.isArray(rows) ? (rows as Row[]) : [];
    },
    close: () => pool.end(),
  };
}

/** What went wrong, for operators: the driver's error code or class, never its message (it may quote the login). */
function describe(error: unknown): string {
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && code !== '') return `query failed (${code})`;
  return `query failed (${typeof name === 'string' ? name : 'error'})`;
}

/** Whether the call's time is up (a function, so each check reads the signal afresh). */
function expired(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** PostgreSQL's SQLSTATE class 22: the value could not be used in the comparison at all. */
function isDataException(error: unknown): boolean {
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/**
 * The salt as verifyLegacy takes it: text as configured, binary columns (bytea, VARBINARY) as hex. Undefined
 * without a salt column or value; null for a value that is neither.
 */
function saltOf(
  row: Row,
  column: string | undefined,
): { value: string; encoding?: { saltEncoding: 'hex' } } | undefined | null {
  const value = column === undefined ? undefined : row[column];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { value };
  if (Buffer.isBuffer(value)) return { value: value.toString('hex'), encoding: { saltEncoding: 'hex' } };
  return null;
}
