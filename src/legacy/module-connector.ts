import { z } from 'zod';
import type { ModuleConnectorConfig } from '../config/legacy-schema.js';
import { importOperatorModule } from '../config/operator-module.js';
import type { Logger } from '../log/logger.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { listedHashOptions, recordFromListing } from './listing.js';
import type {
  AuthenticateOutcome,
  CallContext,
  FindUserOutcome,
  LegacyConnector,
  WriteBackOutcome,
} from './connector.js';

/**
 * The "custom database script" pattern: an operator's module reaches the legacy store however it must and answers
 * in the connector's outcomes. Its answers are checked like any other legacy system's: a malformed answer or a
 * thrown error is an unavailable legacy system, never a sign-in.
 */

/** What the module's functions receive besides the login. */
export interface ModuleContext {
  /** Aborted when the call's time is up; pass it to database and HTTP clients. */
  signal: AbortSignal;
  /** `options` from the connector's configuration. */
  options: Readonly<Record<string, unknown>>;
  /** A logger that redacts passwords like the IdP's own. */
  log: Logger;
}

/** The shape a module must export (`authenticate` and `findUser` required, `afterMigration` and `close` optional). */
export interface LegacyModule {
  authenticate(login: string, password: string, context: ModuleContext): Promise<unknown>;
  findUser(login: string, context: ModuleContext): Promise<unknown>;
  afterMigration?(legacyId: string, context: ModuleContext): Promise<unknown>;
  /** For bulk import: pages of `{ users: [profile with optional passwordHash/hashScheme/salt], resumeFrom }`. */
  enumerateUsers?(resumeFrom: string | undefined, context: ModuleContext): AsyncIterable<unknown>;
  close?(): Promise<unknown>;
}

const profileSchema = z.record(z.string(), z.unknown());
const authenticateSchema = z.discriminatedUnion('kind', [
  /**
   * The module found the user and hands back the stored hash for the IdP to judge (so a module need not implement
   * any hash scheme): `hashScheme` as a listing names it (`bcrypt`, `md5`, `pbkdf2_sha256` …; absent: detected).
   */
  z.strictObject({
    kind: z.literal('stored-hash'),
    profile: profileSchema,
    passwordHash: z.string(),
    hashScheme: z.string().optional(),
    salt: z.string().optional(),
    /** Names the record to the operator when its hash cannot be judged. */
    legacyId: z.string().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('valid'), profile: profileSchema }),
  z.strictObject({ kind: z.literal('invalid') }),
  z.strictObject({ kind: z.literal('disabled') }),
  z.strictObject({
    kind: z.literal('unjudgeable'),
    reason: z.enum(['unsupported_hash', 'ambiguous_login']),
    cause: z.string(),
    legacyId: z.string().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('unusable'), cause: z.string() }),
  z.strictObject({ kind: z.literal('unavailable'), cause: z.string() }),
]);
const pageSchema = z.strictObject({ users: z.array(profileSchema), resumeFrom: z.string() });
const findUserSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('found'), profile: profileSchema, disabled: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('not-found') }),
  z.strictObject({ kind: z.literal('unavailable'), cause: z.string() }),
]);

export async function createModuleConnector(
  config: ModuleConnectorConfig,
  logger: Logger,
  hasher: PasswordHasher,
): Promise<LegacyConnector> {
  const module = await loadModule(config.path);
  const log = logger.child({ component: 'legacy-module', source: config.source });
  const contextFor = (call: CallContext): ModuleContext => ({ signal: call.signal, options: config.options, log });

  /** Runs one module call and checks its answer; whatever goes wrong is "unavailable", with why. */
  const ask = async <T>(
    name: string,
    schema: z.ZodType<T>,
    signal: AbortSignal,
    call: () => Promise<unknown>,
  ): Promise<T | { kind: 'unavailable'; cause: string }> => {
    let answer: unknown;
    try {
      answer = await call();
      // An answer after the deadline is not trusted: the caller has already been told "unavailable".
      if (signal.aborted) return { kind: 'unavailable', cause: 'timeout' };
    } catch (error) {
      if (signal.aborted) return { kind: 'unavailable', cause: 'timeout' };
      return {
        kind: 'unavailable',
        cause: `module ${name} threw (${error instanceof Error ? error.message : String(error)})`,
      };
    }
    const parsed = schema.safeParse(answer);
    return parsed.success ? parsed.data : { kind: 'unavailable', cause: `module ${name} gave a malformed answer` };
  };

  return {
    source: config.source,
    passwordJudge: 'legacy-system',
    async authenticate(login, password, context): Promise<AuthenticateOutcome> {
      const answer = await ask('authenticate', authenticateSchema, context.signal, () =>
        module.authenticate(login, password, contextFor(context)),
      );
      if (answer.kind !== 'stored-hash') return answer;
      return judgeStoredHash(hasher, password, answer);
    },
    findUser: (login, context): Promise<FindUserOutcome> =>
      ask('findUser', findUserSchema, context.signal, () => module.findUser(login, contextFor(context))),
    ...(module.afterMigration
      ? {
          async afterMigration(legacyId: string, context: CallContext): Promise<WriteBackOutcome> {
            try {
              await module.afterMigration?.(legacyId, contextFor(context));
              return { kind: 'done' };
            } catch (error) {
              return { kind: 'failed', cause: error instanceof Error ? error.message : String(error) };
            }
          },
        }
      : {}),
    ...(module.enumerateUsers
      ? {
          async *enumerateUsers(resumeFrom: string | undefined, signal: AbortSignal) {
            for await (const page of module.enumerateUsers?.(resumeFrom, contextFor({ signal })) ?? []) {
              const parsed = pageSchema.safeParse(page);
              if (!parsed.success) throw new Error('module enumerateUsers gave a malformed page');
              yield {
                records: parsed.data.users.map((user) => recordFromListing(user, 'disabled')),
                resumeFrom: parsed.data.resumeFrom,
              };
            }
          },
        }
      : {}),
    close: async () => {
      await module.close?.();
    },
  };
}

async function loadModule(path: string): Promise<LegacyModule> {
  const loaded = (await importOperatorModule(path)) as Partial<LegacyModule> & {
    default?: Partial<LegacyModule>;
  };
  const candidate = typeof loaded.authenticate === 'function' ? loaded : loaded.default;
  if (typeof candidate?.authenticate !== 'function' || typeof candidate.findUser !== 'function') {
    throw new Error(
      `legacy module ${path} must export functions authenticate(login, password, context) and findUser(login, context)`,
    );
  }
  return candidate as LegacyModule;
}

/** The password against the hash a module handed back, with the scheme it named. */
async function judgeStoredHash(
  hasher: PasswordHasher,
  password: string,
  answer: Extract<z.infer<typeof authenticateSchema>, { kind: 'stored-hash' }>,
): Promise<AuthenticateOutcome> {
  const options = listedHashOptions(answer.hashScheme);
  const verdict =
    'unsupported' in options
      ? { kind: 'unsupported' as const, reason: options.unsupported }
      : await hasher.verifyLegacy(password, answer.passwordHash, options, answer.salt);
  switch (verdict.kind) {
    case 'match':
      return { kind: 'valid', profile: answer.profile };
    case 'mismatch':
      return { kind: 'invalid' };
    case 'unsupported':
      return {
        kind: 'unjudgeable',
        reason: 'unsupported_hash',
        cause: verdict.reason,
        ...(answer.legacyId === undefined ? {} : { legacyId: answer.legacyId }),
      };
  }
}
