import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LegacyConnector } from '../../src/legacy/connector.js';

/**
 * What every legacy connector must do, whatever it talks to. Each connector's test file supplies a real legacy
 * store loaded with these kinds of users and a way to break it; this suite asserts the outcomes.
 */

export interface Credentials {
  login: string;
  password: string;
}

export interface ConnectorFixture {
  connector: LegacyConnector;
  /** A user who may sign in, and the legacy id the connector must report in the profile under `idField`. */
  valid: Credentials & { legacyId: string; email: string };
  idField: string;
  /** A user the legacy system refuses although the password is right. */
  disabled: Credentials;
  /** A login whose record cannot be used (unsupported hash, several matches …), if the kind can have one. */
  /** A record whose password cannot be judged (an unsupported hash, an ambiguous login). */
  unjudgeable?: Credentials;
  /** Fields that must never appear in a profile (hash and salt columns, userPassword …). */
  secretFields: string[];
  /** Makes every call fail (server stopped); `restore` brings it back. */
  breakDown(): Promise<void>;
  restore(): Promise<void>;
  /** A connector on the same store whose calls never finish on their own (slow query, unanswered bind …). */
  hanging?: () => LegacyConnector;
  close(): Promise<void>;
}

/** A deadline that keeps the process alive until it fires (AbortSignal.timeout's timer does not). */
const within = (ms = 3000) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('deadline')), ms);
  return { signal: controller.signal };
};

export function connectorContract(name: string, setUp: (() => Promise<ConnectorFixture>) | { skip: string }): void {
  describe(`connector contract: ${name}`, { skip: 'skip' in setUp ? setUp.skip : false, timeout: 120_000 }, () => {
    let f: ConnectorFixture;
    before(async () => {
      if (!('skip' in setUp)) f = await setUp();
    });
    after(() => f.close());

    it('returns the profile, with the stable id, for the right password', async () => {
      const outcome = await f.connector.authenticate(f.valid.login, f.valid.password, within());
      assert.equal(outcome.kind, 'valid');
      assert.equal(outcome.profile[f.idField], f.valid.legacyId);
      for (const secret of f.secretFields) assert.equal(outcome.profile[secret], undefined, `${secret} leaked`);
      assert.ok(!JSON.stringify(outcome.profile).includes(f.valid.password));
    });

    it('finds the same user by email', async () => {
      const outcome = await f.connector.authenticate(f.valid.email, f.valid.password, within());
      assert.equal(outcome.kind === 'valid' && outcome.profile[f.idField], f.valid.legacyId);
    });

    it('answers a wrong password and an unknown login alike: invalid', async () => {
      assert.deepEqual(await f.connector.authenticate(f.valid.login, `${f.valid.password}-wrong`, within()), {
        kind: 'invalid',
      });
      assert.deepEqual(await f.connector.authenticate('no-such-user-anywhere', 'whatever', within()), {
        kind: 'invalid',
      });
      assert.deepEqual(await f.connector.authenticate(f.valid.login, '', within()), { kind: 'invalid' });
    });

    it('refuses a disabled account given the right password, and calls it invalid with a wrong one', async () => {
      assert.deepEqual(await f.connector.authenticate(f.disabled.login, f.disabled.password, within()), {
        kind: 'disabled',
      });
      assert.deepEqual(await f.connector.authenticate(f.disabled.login, `${f.disabled.password}-wrong`, within()), {
        kind: 'invalid',
      });
    });

    it('reports a record whose password it cannot judge as unjudgeable, with a reason for the operator', async (t) => {
      if (!f.unjudgeable) {
        t.skip('this kind of legacy store judges every password itself');
        return;
      }
      const outcome = await f.connector.authenticate(f.unjudgeable.login, f.unjudgeable.password, within());
      assert.equal(outcome.kind, 'unjudgeable');
      assert.ok(outcome.cause.length > 0);
      assert.ok(!outcome.cause.includes(f.unjudgeable.password), 'the cause never quotes the password');
    });

    it('looks users up without a password', async () => {
      const found = await f.connector.findUser(f.valid.login, within());
      assert.equal(found.kind === 'found' && found.profile[f.idField], f.valid.legacyId);
      for (const secret of f.secretFields) assert.equal(found.kind === 'found' && found.profile[secret], undefined);
      assert.deepEqual(await f.connector.findUser('no-such-user-anywhere', within()), { kind: 'not-found' });
    });

    it('reports a legacy store that is down as unavailable, for sign-ins and look-ups', async () => {
      await f.breakDown();
      try {
        const outcome = await f.connector.authenticate(f.valid.login, f.valid.password, within());
        assert.equal(outcome.kind, 'unavailable');
        assert.equal((await f.connector.findUser(f.valid.login, within())).kind, 'unavailable');
      } finally {
        await f.restore();
      }
      assert.equal((await f.connector.authenticate(f.valid.login, f.valid.password, within())).kind, 'valid');
    });

    it('gives up a call that does not finish within its deadline', async (t) => {
      if (!f.hanging) {
        t.skip('no way to make this store hang');
        return;
      }
      const hanging = f.hanging();
      try {
        const started = performance.now();
        const outcome = await hanging.authenticate(f.valid.login, f.valid.password, within(300));
        assert.equal(outcome.kind, 'unavailable');
        // Under the 5 s default budget of a connector that ignored the 300 ms signal (a hanging store itself answers in
        // 30 s or never): room for a loaded machine, yet it still tells the deadline from none.
        assert.ok(performance.now() - started < 4000, 'returned soon after the deadline');
      } finally {
        await hanging.close();
      }
    });
  });
}
