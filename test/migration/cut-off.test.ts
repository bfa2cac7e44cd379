import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createCutOffAwareLegacy } from '../../src/legacy/cut-off-aware-legacy.js';
import { createCutOff } from '../../src/migration/cut-off.js';
import { domainFixture, type DomainFixture } from './domain-fixture.js';

describe('the cut-off switch (fake legacy system, in-memory store)', () => {
  let f: DomainFixture;

  beforeEach(async () => {
    f = await domainFixture([], { hashes: false });
  });
  afterEach(() => f.close());

  it('cuts the legacy system off with an audit event, and reconnects it with another', async () => {
    const switchCutOff = createCutOff({ cutOffAwareLegacy: f.cutOffAwareLegacy, record: f.record });
    assert.equal(await f.cutOffAwareLegacy.active(), f.legacy);

    const off = await switchCutOff(true, 'admin-1');
    assert.ok(off.kind === 'switched');
    assert.deepEqual([off.state.cutOff, off.state.byConfiguration, off.state.by], [true, false, 'admin-1']);
    assert.equal(await f.cutOffAwareLegacy.active(), undefined);

    const on = await switchCutOff(false, 'admin-2');
    assert.ok(on.kind === 'switched' && !on.state.cutOff);
    assert.equal(await f.cutOffAwareLegacy.active(), f.legacy);

    const actions = (await f.events('admin_action')).map((e) => e.type === 'admin_action' && [e.action, e.adminId]);
    assert.deepEqual(actions.reverse(), [
      ['cut_off', 'admin-1'],
      ['reconnect', 'admin-2'],
    ]);
  });

  it('other processes on the same store see the cut-off', async () => {
    await createCutOff({ cutOffAwareLegacy: f.cutOffAwareLegacy, record: f.record })(true, 'admin-1');
    const elsewhere = createCutOffAwareLegacy(f.legacy, f.store.settings, false);
    assert.equal(await elsewhere.active(), undefined);
  });

  it('a cut-off fixed by the configuration cannot be switched, and records nothing', async () => {
    for (const fixed of [
      createCutOffAwareLegacy(f.legacy, f.store.settings, true),
      createCutOffAwareLegacy(undefined, f.store.settings, false),
    ]) {
      const outcome = await createCutOff({ cutOffAwareLegacy: fixed, record: f.record })(false, 'admin-1');
      assert.deepEqual(outcome, { kind: 'fixed-by-configuration' });
      assert.equal(await fixed.active(), undefined);
    }
    assert.deepEqual(await f.events('admin_action'), []);
  });
});
