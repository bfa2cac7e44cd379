import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { SignIn, SignInOutcome } from '../../src/migration/sign-in.js';
import { equaliseFailureTiming } from '../../src/migration/failure-timing.js';

/** A sign-in stand-in whose paths take set times, so the floor can be measured against them. */
function scripted(legacyMs: number): SignIn {
  return async (login): Promise<SignInOutcome> => {
    if (login === 'legacy') {
      await sleep(legacyMs);
      return { kind: 'invalid-credentials', via: 'legacy' };
    }
    if (login === 'ok') return { kind: 'legacy-unavailable' };
    return { kind: 'invalid-credentials', via: 'local' };
  };
}

async function took(signIn: SignIn, login: string): Promise<number> {
  const started = performance.now();
  await signIn(login, 'pw');
  return performance.now() - started;
}

describe('failed sign-in timing', () => {
  it('holds a fast local refusal as long as the slow legacy refusals seen', async () => {
    const signIn = equaliseFailureTiming(scripted(120), { maxFloorMs: 5000 });
    for (let i = 0; i < 5; i++) await signIn('legacy', 'pw');
    assert.ok((await took(signIn, 'local')) >= 115);
  });

  it('never holds a refusal past maxFloorMs', async () => {
    const signIn = equaliseFailureTiming(scripted(400), { maxFloorMs: 40 });
    for (let i = 0; i < 3; i++) await signIn('legacy', 'pw');
    const local = await took(signIn, 'local');
    assert.ok(local >= 35 && local < 350, `${String(local)} ms`);
  });

  it('leaves other outcomes alone', async () => {
    const signIn = equaliseFailureTiming(scripted(300), { maxFloorMs: 5000 });
    await signIn('legacy', 'pw');
    assert.ok((await took(signIn, 'ok')) < 250);
  });
});
