import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { legacySchema } from '../../src/config/legacy-schema.js';
import { DEMO_USERS } from '../../src/demo/demo-users.js';
import { LegacyUserService } from '../../src/demo/legacy-service.js';
import { createHttpConnector } from '../../src/legacy/http-connector.js';
import { createLegacySystem, type CircuitHealth, type ResilienceOptions } from '../../src/legacy/legacy-system.js';

/** The resilience layer (cockatiel) around a real connector talking to a real HTTP legacy service. */
describe('legacy system resilience', () => {
  const legacy = new LegacyUserService({ users: DEMO_USERS });
  before(() => legacy.start());
  after(() => legacy.stop());
  beforeEach(() => {
    legacy.fault = 'none';
    legacy.delayMs = 0;
    legacy.resetCalls();
  });

  const systemWith = (options: Partial<ResilienceOptions> = {}, onCircuit?: (state: CircuitHealth) => void) => {
    const config = legacySchema.parse({ kind: 'http', baseUrl: legacy.url });
    assert.equal(config.kind, 'http');
    return createLegacySystem(
      createHttpConnector(config),
      {
        timeoutMs: 1000,
        maxConcurrent: 8,
        maxQueued: 8,
        breakerFailures: 3,
        breakerHalfOpenAfterMs: 300,
        lookupAttempts: 3,
        ...options,
      },
      { onCircuitChange: onCircuit },
    );
  };

  it('opens the circuit after consecutive failures, answers fast without calling, and closes after a good probe', async () => {
    const states: CircuitHealth[] = [];
    const system = systemWith({}, (state) => states.push(state));
    legacy.fault = 'error';
    for (let i = 0; i < 3; i++) assert.equal((await system.authenticate('alice', 'wonderland')).kind, 'unavailable');
    assert.equal(system.health().circuit, 'open');
    assert.equal(legacy.calls.authenticate, 3);

    const started = performance.now();
    assert.deepEqual(await system.authenticate('alice', 'wonderland'), { kind: 'unavailable', cause: 'circuit open' });
    // The call count below is what shows the circuit answered without the legacy system; this bound only rules out
    // a wait, and leaves a loaded machine room.
    assert.ok(performance.now() - started < 1000, 'an open circuit answers at once');
    assert.equal(legacy.calls.authenticate, 3, 'the legacy system was not called');

    legacy.fault = 'none';
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await system.authenticate('alice', 'wonderland')).kind, 'valid');
    assert.equal(system.health().circuit, 'closed');
    assert.deepEqual(states, ['open', 'half-open', 'closed']);
  });

  it('does not count wrong passwords against the legacy system', async () => {
    const system = systemWith();
    for (let i = 0; i < 10; i++) assert.equal((await system.authenticate('alice', `wrong-${i}`)).kind, 'invalid');
    assert.equal(system.health().circuit, 'closed');
  });

  it('bounds concurrent calls and fails the excess fast', async () => {
    const system = systemWith({ maxConcurrent: 2, maxQueued: 1 });
    legacy.delayMs = 300;
    // "Fast" by order, not by a stopwatch: the excess is answered before any admitted call (300 ms each) is.
    let settledSoFar = 0;
    const settled = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const outcome = await system.authenticate('alice', 'wonderland');
        return { outcome, order: settledSoFar++ };
      }),
    );
    const rejected = settled.filter((s) => s.outcome.kind === 'unavailable');
    assert.equal(rejected.length, 2);
    for (const { outcome, order } of rejected) {
      assert.deepEqual(outcome, { kind: 'unavailable', cause: 'too many concurrent legacy calls' });
      assert.ok(order < 2, `rejected as call ${String(order + 1)} to settle, after an admitted one`);
    }
    assert.equal(settled.filter((s) => s.outcome.kind === 'valid').length, 3);
    assert.equal(legacy.calls.authenticate, 3);
  });

  it('counts the wait for a slot against the deadline, and keeps a slot until an abandoned call has stopped', async () => {
    const system = systemWith({ maxConcurrent: 1, maxQueued: 5, timeoutMs: 250 });
    legacy.delayMs = 200;
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const outcome = await system.authenticate('alice', 'wonderland');
        return { kind: outcome.kind, ms: performance.now() - started };
      }),
    );
    assert.equal(outcomes[0]?.kind, 'valid');
    for (const late of outcomes.slice(1)) {
      assert.deepEqual(late.kind, 'unavailable');
      // A sanity bound, well clear of a loaded machine's timer lag: the kind above is what tells a wait counted
      // against the deadline (unavailable) from one that is not (the legacy answers in 200 ms: valid).
      assert.ok(late.ms < 1500, `answered after ${Math.round(late.ms)} ms, far beyond its 250 ms budget`);
    }
    assert.ok(legacy.calls.authenticate <= 2, 'never more calls at once than the bound allows');
  });

  it('gives up at its deadline and reports a timeout', async () => {
    const system = systemWith({ timeoutMs: 200 });
    legacy.fault = 'hang';
    const started = performance.now();
    assert.deepEqual(await system.authenticate('alice', 'wonderland'), { kind: 'unavailable', cause: 'timeout' });
    const elapsed = performance.now() - started;
    // The legacy system never answers, so without the deadline this would not return at all: the upper bound is a
    // sanity check, wide enough for a loaded machine.
    assert.ok(elapsed >= 190 && elapsed < 5000, `took ${Math.round(elapsed)} ms`);
  });

  it('retries look-ups but never a password check', async () => {
    const system = systemWith({ breakerFailures: 100 });
    legacy.fault = 'error';
    assert.equal((await system.findUser('alice')).kind, 'unavailable');
    assert.equal(legacy.calls.findUser, 3);
    assert.equal((await system.authenticate('alice', 'wonderland')).kind, 'unavailable');
    assert.equal(legacy.calls.authenticate, 1);
  });

  it('reports its health', async () => {
    const system = systemWith();
    assert.deepEqual(system.health(), { source: 'legacy', circuit: 'closed', inFlight: 0, queued: 0 });
    legacy.delayMs = 200;
    const pending = system.authenticate('alice', 'wonderland');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(system.health().inFlight, 1);
    await pending;
  });
});
