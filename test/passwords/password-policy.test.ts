import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPasswordPolicy } from '../../src/passwords/password-policy.js';

describe('password policy for new passwords (NIST 800-63B)', () => {
  const policy = createPasswordPolicy(8);

  it('wants at least 8 characters, counted as characters, and allows at least 64', () => {
    assert.match(policy('short') ?? '', /at least 8/);
    assert.equal(policy('ünïcödé!'), undefined, 'eight characters, more bytes');
    assert.equal(policy('x'.repeat(64) + ' still fine'), undefined);
    assert.match(policy('x'.repeat(1025)) ?? '', /at most 1024/);
  });

  it('refuses the common passwords of the list the package ships, in any case', () => {
    for (const common of ['password', 'Password', '12345678', 'QWERTYUIOP', 'iloveyou']) {
      assert.match(policy(common) ?? '', /most common passwords/, common);
    }
    assert.equal(policy('correct horse battery staple'), undefined);
  });

  it('refuses the account’s own username or email, and imposes no composition rules', () => {
    assert.match(policy('alice.liddell', { username: 'Alice.Liddell' }) ?? '', /username or email/);
    assert.match(policy('alice@example.com', { email: 'ALICE@example.com' }) ?? '', /username or email/);
    assert.equal(policy('all lower case words'), undefined);
  });
});
