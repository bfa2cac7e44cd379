import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailSchema, usernameSchema } from '../../src/accounts/account.js';
import { problemSentence } from '../../src/i18n/problems.js';
import { translator } from '../../src/i18n/translator.js';
import { CHOSEN_LOGIN_TAKEN } from '../../src/interaction/messages.js';
import { createPasswordPolicy } from '../../src/passwords/password-policy.js';

/** Every phrase the domain says about a value a user typed: each must read as a sentence in every language. */
function domainPhrases(): { field: string; problem: string }[] {
  const policy = createPasswordPolicy(8);
  const issue = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
    result.error?.issues[0]?.message ?? '';
  return [
    { field: 'username', problem: issue(usernameSchema.safeParse('')) },
    { field: 'username', problem: issue(usernameSchema.safeParse('a b')) },
    { field: 'username', problem: issue(usernameSchema.safeParse('...')) },
    { field: 'username', problem: issue(usernameSchema.safeParse('x'.repeat(65))) },
    { field: 'username', problem: issue(usernameSchema.safeParse('a\u200bb')) },
    { field: 'username', problem: 'must not mix letters of different scripts, such as Latin and Cyrillic' },
    { field: 'email', problem: issue(emailSchema.safeParse('not-an-address')) },
    { field: 'email', problem: CHOSEN_LOGIN_TAKEN },
    { field: 'password', problem: policy('short') ?? '' },
    { field: 'password', problem: policy('x'.repeat(1025)) ?? '' },
    { field: 'password', problem: policy('password') ?? '' },
    { field: 'newPassword', problem: policy('alice.liddell', { username: 'alice.liddell' }) ?? '' },
  ];
}

describe('what the domain says is wrong, in the user’s language', () => {
  it('keeps the English sentences the pages said before', () => {
    const t = translator('en');
    assert.equal(
      problemSentence(t, 'username', 'must not contain spaces or "@"'),
      'The username must not contain spaces or "@".',
    );
    assert.equal(
      problemSentence(t, 'email', 'must be an email address'),
      'Enter an email address, like name@example.com.',
    );
    assert.equal(problemSentence(t, 'password', 'must not be empty'), 'This field is required.');
    assert.equal(
      problemSentence(t, 'newPassword', 'must be at least 8 characters'),
      'The new password must be at least 8 characters.',
    );
    assert.equal(problemSentence(t, 'nickname', 'must rhyme'), 'This field must rhyme.');
  });

  it('knows every phrase the schemas and the password policy produce, in German and French', () => {
    for (const { field, problem } of domainPhrases()) {
      assert.notEqual(problem, '', `no problem found for ${field}`);
      for (const locale of ['de', 'fr'] as const) {
        const sentence = problemSentence(translator(locale), field, problem);
        assert.doesNotMatch(
          sentence,
          /\b(must|is not valid|ist ungültig|n’est pas valide)\b/,
          `${locale}: ${problem} → ${sentence}`,
        );
        assert.doesNotMatch(sentence, /\{\w+\}/, `${locale}: a placeholder left in ${sentence}`);
      }
    }
  });

  it('carries the numbers across and says an unknown phrase as "not valid" rather than in English', () => {
    assert.equal(
      problemSentence(translator('de'), 'password', 'must be at least 12 characters'),
      'Das Passwort muss mindestens 12 Zeichen lang sein.',
    );
    assert.equal(problemSentence(translator('fr'), 'username', 'must rhyme'), 'Le nom d’utilisateur n’est pas valide.');
  });
});
