import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { Mapping } from '../../src/config/schema.js';
import { DEMO_MAPPING } from '../../src/demo/demo-mode.js';
import { readPath } from '../../src/legacy/legacy-values.js';
import { applyMapping, createProfileTransformer } from '../../src/migration/transform.js';

const MODULE = fileURLToPath(new URL('../fixtures/transform-module.ts', import.meta.url));
const legacyAlice = {
  uid: 'L-1001',
  user_name: 'alice',
  mail: 'alice@example.com',
  first: 'Alice',
  last: 'Liddell',
  roles: ['staff', 'unknown-role'],
  mail_confirmed: true,
};

describe('legacy profile transformation', () => {
  it('maps paths, templates, constants and renamed roles', () => {
    const mapping: Mapping = { ...DEMO_MAPPING, familyName: { const: 'Constant' } };
    assert.deepEqual(applyMapping(mapping, legacyAlice), {
      legacyId: 'L-1001',
      username: 'alice',
      email: 'alice@example.com',
      emailVerified: true,
      givenName: 'Alice',
      familyName: 'Constant',
      name: 'Alice Liddell',
      roles: ['employee'],
    });
  });

  it('reads nested paths and array indexes, own properties only', () => {
    const profile = { a: { b: [{ c: 'deep' }] } };
    assert.equal(readPath(profile, 'a.b.0.c'), 'deep');
    assert.equal(readPath(profile, 'a.x.c'), undefined);
    assert.equal(readPath(profile, 'a.constructor'), undefined);
    assert.equal(readPath(profile, '__proto__'), undefined);
  });

  it('fills templates, leaving out missing parts, and defaults missing paths', () => {
    const mapping: Mapping = {
      legacyId: { path: 'id' },
      username: 'login',
      name: { template: '{title} {first}  {last}' },
      emailVerified: { path: 'verified', default: false },
    };
    assert.deepEqual(applyMapping(mapping, { id: 7, login: 'x', first: 'Ada', last: 'Lovelace' }), {
      legacyId: '7',
      username: 'x',
      name: 'Ada Lovelace',
      emailVerified: false,
    });
  });

  it('reads the many spellings of a legacy boolean', async () => {
    const transform = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    for (const [raw, expected] of [
      ['Y', true],
      ['yes', true],
      [1, true],
      ['0', false],
      ['N', false],
      [false, false],
    ] as const) {
      const outcome = await transform({ ...legacyAlice, mail_confirmed: raw });
      assert.equal(outcome.kind === 'valid' && outcome.profile.emailVerified, expected, `for ${String(raw)}`);
    }
    assert.deepEqual(await transform({ ...legacyAlice, mail_confirmed: 'maybe' }), {
      kind: 'invalid',
      fields: ['emailVerified'],
      identity: { legacyId: 'L-1001', username: 'alice', email: 'alice@example.com' },
    });
  });

  it('validates the result and names every failing field without its value', async () => {
    const transform = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    const outcome = await transform({ user_name: 'has space', mail: 'not-an-email', first: 'A\u0000' });
    assert.equal(outcome.kind, 'invalid');
    assert.deepEqual([...outcome.fields].sort(), ['email', 'givenName', 'legacyId', 'name', 'username']);
    assert.ok(!JSON.stringify(outcome.fields).includes('not-an-email'));
    // Who the refused user is, as the legacy system spells it, for the operator's reports.
    assert.deepEqual(outcome.identity, { username: 'has space', email: 'not-an-email' });
  });

  it('refuses usernames that are only dots', async () => {
    const transform = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    for (const name of ['.', '..', '...']) {
      assert.deepEqual(await transform({ ...legacyAlice, user_name: name }), {
        kind: 'invalid',
        fields: ['username'],
        identity: { legacyId: 'L-1001', username: name, email: 'alice@example.com' },
      });
    }
  });

  it('requires an email only when configured to', async () => {
    const without = { ...legacyAlice, mail: undefined };
    const strict = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    const lenient = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: false });
    assert.deepEqual(await strict(without), {
      kind: 'invalid',
      fields: ['email'],
      identity: { legacyId: 'L-1001', username: 'alice' },
    });
    const outcome = await lenient(without);
    assert.equal(outcome.kind === 'valid' && outcome.profile.email, undefined);
  });

  it('normalises text: NFKC and trimmed', async () => {
    const transform = await createProfileTransformer({ mapping: DEMO_MAPPING, emailRequired: true });
    const outcome = await transform({ ...legacyAlice, user_name: '  ａｌｉｃｅ ', first: ' Alice ' });
    assert.equal(outcome.kind, 'valid');
    assert.equal(outcome.profile.username, 'alice');
    assert.equal(outcome.profile.givenName, 'Alice');
    assert.equal(outcome.identity.username, 'ａｌｉｃｅ', 'the identity keeps the legacy spelling');
  });

  it('runs the transform module after the mapping and before validation', async () => {
    const errors: unknown[] = [];
    const transform = await createProfileTransformer({
      mapping: DEMO_MAPPING,
      emailRequired: true,
      transformModule: MODULE,
      onModuleError: (error) => errors.push(error),
    });
    const renamed = await transform({ ...legacyAlice, user_name: 'alice in wonderland' });
    assert.equal(renamed.kind === 'valid' && renamed.profile.username, 'alice.in.wonderland');
    const sales = await transform({ ...legacyAlice, department: 'sales' });
    assert.deepEqual(sales.kind === 'valid' && sales.profile.roles, ['employee', 'sales']);
    assert.deepEqual(await transform({ ...legacyAlice, explode: true }), {
      kind: 'invalid',
      fields: ['(transform module)'],
      identity: { legacyId: 'L-1001', username: 'alice', email: 'alice@example.com' },
    });
    assert.equal(errors.length, 1);
  });

  it('refuses to start with a transform module that exports no function', async () => {
    await assert.rejects(
      createProfileTransformer({
        mapping: DEMO_MAPPING,
        emailRequired: true,
        transformModule: fileURLToPath(new URL('../support/html.ts', import.meta.url)),
      }),
      /must export a function/,
    );
  });
});
