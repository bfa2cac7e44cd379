import { setTimeout as sleep } from 'node:timers/promises';
import type { SignIn, SignInOutcome } from './sign-in.js';

/**
 * Makes every refused sign-in take the same time, whichever path refused it. A wrong password for a migrated user is
 * judged by one local bcrypt verification; an unknown login or a password the legacy system rejects costs a legacy
 * round trip and a decoy verification. Without this, the difference tells an attacker who has migrated already.
 *
 * Each path keeps a window of its recent natural durations; every refusal is held until the floor, the larger of
 * the two paths' `quantile`, clamped to `maxFloorMs`. The floor follows the legacy system's latency as it changes,
 * costs a timer and no CPU, and only refusals wait: a successful sign-in is never slowed.
 */

export interface FailureTimingOptions {
  /** No refusal is held longer than this, however slow the legacy system gets. */
  maxFloorMs: number;
  /** Durations remembered per path. */
  window?: number;
  quantile?: number;
}

type Path = Extract<SignInOutcome, { kind: 'invalid-credentials' }>['via'];

class DurationWindow {
  readonly #samples: Float64Array;
  #count = 0;
  #next = 0;
  #quantile: number;
  #cached: number | undefined;

  constructor(size: number, quantile: number) {
    this.#samples = new Float64Array(size);
    this.#quantile = quantile;
  }

  add(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    this.#count = Math.min(this.#count + 1, this.#samples.length);
    this.#cached = undefined;
  }

  /** 0 before the first sample. */
  quantile(): number {
    if (this.#count === 0) return 0;
    if (this.#cached === undefined) {
      const sorted = this.#samples.slice(0, this.#count).sort();
      this.#cached = sorted[Math.min(this.#count - 1, Math.floor(this.#quantile * this.#count))] ?? 0;
    }
    return this.#cached;
  }
}

export function equaliseFailureTiming(signIn: SignIn, options: FailureTimingOptions): SignIn {
  const size = options.window ?? 200;
  const quantile = options.quantile ?? 0.95;
  const windows: Record<Path, DurationWindow> = {
    local: new DurationWindow(size, quantile),
    legacy: new DurationWindow(size, quantile),
  };
  const floor = () => Math.min(options.maxFloorMs, Math.max(windows.local.quantile(), windows.legacy.quantile()));

  return async (login, password) => {
    const started = performance.now();
    const outcome = await signIn(login, password);
    if (outcome.kind !== 'invalid-credentials') return outcome;
    const took = performance.now() - started;
    // The window learns the work only: time spent waiting for another attempt's legacy check is left out, so a
    // burst sent at one login cannot raise everyone's floor.
    windows[outcome.via].add(took - (outcome.waitedMs ?? 0));
    const wait = floor() - took;
    if (wait > 0) await sleep(wait);
    return outcome;
  };
}
