import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { RecordEvent } from '../events/recorder.js';
import type { CutOffAwareLegacy } from '../legacy/cut-off-aware-legacy.js';
import type { AccountStore } from '../store/store.js';
import { emailSchema, normaliseLogin, optionalNameSchema, usernameSchema, type Account } from '../accounts/account.js';
import { mixesScripts } from '../accounts/mixed-scripts.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';

export interface RegistrationInput {
  username: string;
  email: string;
  password: string;
  givenName?: string;
  familyName?: string;
}

export type RegistrationOutcome =
  | { kind: 'registered'; account: Account }
  /** Field name → what is wrong with it. */
  | { kind: 'invalid-input'; errors: Record<string, string> }
  /** The username or email belongs to someone, here or in the legacy system: they should sign in instead. */
  | { kind: 'taken' }
  /** The legacy system could not be asked, so uniqueness cannot be known: fail closed. */
  | { kind: 'legacy-unavailable' };

export type Register = (input: RegistrationInput) => Promise<RegistrationOutcome>;

export interface RegisterDependencies {
  accounts: AccountStore;
  hasher: PasswordHasher;
  /** The legacy system, unless there is none or it has been cut off. */
  legacy: CutOffAwareLegacy;
  record: RecordEvent;
  passwordPolicy: PasswordPolicy;
  now?: () => Date;
}

export function createRegister(deps: RegisterDependencies): Register {
  const now = deps.now ?? (() => new Date());
  const inputSchema = z.object({
    username: usernameSchema.refine(
      (username) => !mixesScripts(username),
      'must not mix letters of different scripts, such as Latin and Cyrillic',
    ),
    email: emailSchema,
    givenName: optionalNameSchema,
    familyName: optionalNameSchema,
    password: z.string(),
  });

  return async (input) => {
    const parsed = inputSchema.safeParse(input);
    const errors: Record<string, string> = {};
    for (const issue of parsed.error?.issues ?? []) errors[String(issue.path[0] ?? 'form')] ??= issue.message;
    const passwordProblem = deps.passwordPolicy(input.password, { username: input.username, email: input.email });
    if (passwordProblem) errors.password = passwordProblem;
    if (!parsed.success || Object.keys(errors).length > 0) return { kind: 'invalid-input', errors };
    const { password, ...profile } = parsed.data;
    const logins = [profile.username, profile.email];

    const local = await Promise.all(logins.map((login) => deps.accounts.findByLogin(normaliseLogin(login))));
    if (local.some(Boolean)) return { kind: 'taken' };

    const legacy = await deps.legacy.active();
    if (legacy) {
      const answers = await Promise.all(logins.map((login) => legacy.findUser(login)));
      if (answers.some((answer) => answer.kind === 'unavailable')) return { kind: 'legacy-unavailable' };
      if (answers.some((answer) => answer.kind === 'found')) return { kind: 'taken' };
    }

    const at = now();
    const account: Account = {
      ...profile,
      emailVerified: false,
      roles: [],
      id: randomUUID(),
      origin: 'registered',
      password: { kind: 'bcrypt', hash: await deps.hasher.hash(password) },
      createdAt: at,
      updatedAt: at,
    };
    const inserted = await deps.accounts.insert(account);
    if (inserted.kind === 'conflict') return { kind: 'taken' };
    await deps.record({ type: 'registered', accountId: account.id });
    return { kind: 'registered', account };
  };
}
