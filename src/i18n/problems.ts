import type { MessageKey, Params, Translator } from './translator.js';

/**
 * What the domain says is wrong with a value (the account schemas in src/accounts/, the password policy, a login
 * taken) is an English predicate, also logged and shown to operators: "must be at least 8 characters". The pages
 * say it as a sentence in the user's language, with the field's name as its subject.
 * test/i18n/problems.test.ts feeds every phrase the domain produces through here.
 */

const PROBLEMS: readonly { phrase: RegExp; key: MessageKey; params?: (match: RegExpExecArray) => Params }[] = [
  { phrase: /^must be at least (\d+) characters\.?$/, key: 'problem.tooShort', params: (m) => ({ min: m[1] ?? '' }) },
  { phrase: /^must be at most (\d+) characters\.?$/, key: 'problem.tooLong', params: (m) => ({ max: m[1] ?? '' }) },
  { phrase: /^must not contain control or invisible characters\.?$/, key: 'problem.invisible' },
  { phrase: /^must not contain spaces or "@"\.?$/, key: 'problem.spacesOrAt' },
  { phrase: /^must contain more than dots\.?$/, key: 'problem.onlyDots' },
  { phrase: /^must not mix letters of different scripts/, key: 'problem.mixedScripts' },
  { phrase: /^is one of the most common passwords/, key: 'problem.commonPassword' },
  { phrase: /^must not be your username or email\.?$/, key: 'problem.ownLogin' },
  { phrase: /^is already used by another account/, key: 'problem.taken' },
];

/** Problems said as a whole sentence, without the field's name: they read badly after it. */
const WHOLE_SENTENCES: Readonly<Record<string, MessageKey>> = {
  'must not be empty': 'problem.required',
  'must be an email address': 'problem.notEmail',
};

const FIELD_SUBJECTS: Readonly<Record<string, MessageKey>> = {
  username: 'field.username',
  email: 'field.email',
  name: 'field.name',
  givenName: 'field.givenName',
  familyName: 'field.familyName',
  password: 'field.password',
  newPassword: 'field.newPassword',
};

/**
 * The problem as a clause without a full stop ("The username must not contain spaces or "@""), for a page to end as
 * it needs. A phrase nobody taught this file is said as "… is not valid" in a language other than English.
 */
export function problemClause(t: Translator, field: string, problem: string): string {
  const whole = WHOLE_SENTENCES[problem.replace(/\.$/, '')];
  if (whole) return t(whole);
  const subject = t(FIELD_SUBJECTS[field] ?? 'field.generic');
  for (const known of PROBLEMS) {
    const match = known.phrase.exec(problem);
    if (match) return t(known.key, { ...known.params?.(match), field: subject });
  }
  // English can say the phrase itself; another language says what it can rather than mix in English.
  return t.locale === 'en' ? `${subject} ${problem.replace(/\.$/, '')}` : t('problem.invalid', { field: subject });
}

/** The problem as a sentence: "The username must not contain spaces or "@"." */
export function problemSentence(t: Translator, field: string, problem: string): string {
  return t('form.sentence', { problem: problemClause(t, field, problem) });
}

/** A form's problems: a sentence for each field, and one above the form. */
export function formProblems(
  t: Translator,
  errors: Readonly<Record<string, string>>,
): { fieldErrors: Record<string, string>; error: string } {
  return {
    fieldErrors: Object.fromEntries(
      Object.entries(errors).map(([field, problem]) => [field, problemSentence(t, field, problem)]),
    ),
    error: t('form.correctFields'),
  };
}
