import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RegistrationOutcome } from '../registration/register.js';
import type { IdpEvent } from '../events/event.js';
import type { CircuitHealth, LegacyHealth } from '../legacy/legacy-system.js';
import type { SignInOutcome } from '../migration/sign-in.js';

/**
 * Prometheus metrics (prom-client), one registry per IdP instance. Names follow Prometheus conventions; labels are
 * small closed sets (outcomes, operations), never logins or ids.
 */
export interface Metrics {
  readonly registry: Registry;
  // Properties, not methods: they are handed around as callbacks.
  readonly observeSignIn: (outcome: SignInOutcome) => void;
  readonly observeRegistration: (outcome: RegistrationOutcome) => void;
  readonly observeEvent: (event: IdpEvent) => void;
  readonly observeLegacyCall: (operation: LegacyOperation, outcome: string, seconds: number) => void;
}

export type LegacyOperation = 'authenticate' | 'findUser' | 'afterMigration' | 'listUsers';

const CIRCUIT_VALUES: Record<CircuitHealth, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };

export interface MetricSources {
  legacyHealth?: () => LegacyHealth;
  hashQueue: () => number;
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'idp_' });
  eventLoopDelayGauges(registry);

  const signIns = new Counter({
    name: 'idp_sign_ins_total',
    help: 'Password sign-ins on the hosted page, by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const registrations = new Counter({
    name: 'idp_registrations_total',
    help: 'Sign-up attempts, by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const migrations = new Counter({
    name: 'idp_migrations_total',
    help: 'First sign-ins that reached the legacy system, by outcome (migrated, or the reason it failed).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const passkeyOffers = new Counter({
    name: 'idp_passkey_offers_total',
    help: 'Answers to the passkey offered after a password sign-in: added, later, declined.',
    labelNames: ['answer'],
    registers: [registry],
  });
  const secondFactors = new Counter({
    name: 'idp_second_factor_events_total',
    help:
      'Second factors enrolled, removed, used and failed, by factor (totp, recovery-code, passkey, all) and outcome ' +
      '(enrolled, removed, used, or the reason a second step failed).',
    labelNames: ['factor', 'outcome'],
    registers: [registry],
  });
  const legacyCalls = new Histogram({
    name: 'idp_legacy_call_duration_seconds',
    help: 'Duration of calls to the legacy system, by operation and outcome.',
    labelNames: ['operation', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  if (sources.legacyHealth) {
    const health = sources.legacyHealth;
    new Gauge({
      name: 'idp_legacy_circuit_state',
      help: 'Circuit breaker in front of the legacy system: 0 closed, 1 half-open, 2 open, 3 isolated.',
      registers: [registry],
      collect() {
        this.set(CIRCUIT_VALUES[health().circuit]);
      },
    });
    new Gauge({
      name: 'idp_legacy_calls_in_flight',
      help: 'Legacy calls running now.',
      registers: [registry],
      collect() {
        this.set(health().inFlight);
      },
    });
    new Gauge({
      name: 'idp_legacy_calls_queued',
      help: 'Legacy calls waiting for a slot.',
      registers: [registry],
      collect() {
        this.set(health().queued);
      },
    });
  }
  new Gauge({
    name: 'idp_password_hash_queue',
    help: 'Password hash and verify tasks waiting for a worker thread.',
    registers: [registry],
    collect() {
      this.set(sources.hashQueue());
    },
  });

  return {
    registry,
    observeSignIn: (outcome) =>
      signIns.inc({ outcome: outcome.kind === 'signed-in' ? (outcome.migrated ? 'migrated' : 'local') : outcome.kind }),
    observeRegistration: (outcome) => registrations.inc({ outcome: outcome.kind }),
    observeEvent: (event) => {
      if (event.type === 'migrated') migrations.inc({ outcome: 'migrated' });
      if (event.type === 'migration_failed') migrations.inc({ outcome: event.reason });
      if (event.type === 'factor_enrolled') secondFactors.inc({ factor: event.factor, outcome: 'enrolled' });
      if (event.type === 'factor_removed') secondFactors.inc({ factor: event.factor, outcome: 'removed' });
      if (event.type === 'factor_used') secondFactors.inc({ factor: event.factor, outcome: 'used' });
      // A failed step has no factor of its own: the code typed could have been either kind.
      if (event.type === 'factor_failed') secondFactors.inc({ factor: 'any', outcome: event.reason });
      if (event.type === 'passkey_offer_answered') passkeyOffers.inc({ answer: event.answer });
    },
    observeLegacyCall: (operation, outcome, seconds) => legacyCalls.observe({ operation, outcome }, seconds),
  };
}

/** How often the event loop's delay is sampled: prom-client's default, so both families sample alike. */
const LOOP_SAMPLING_MS = 10;

/**
 * How late the event loop ran a timer, since the last scrape: quantile 0.99 and 1 (the worst). prom-client's
 * `idp_nodejs_eventloop_lag_*` report the time between two samples, which includes the sampling interval itself (an
 * idle loop reads 10 ms there); this reports the lateness alone (0 when idle), the figure to alert on.
 */
function eventLoopDelayGauges(registry: Registry): void {
  const delays = monitorEventLoopDelay({ resolution: LOOP_SAMPLING_MS });
  delays.enable();
  const lateness = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - LOOP_SAMPLING_MS) / 1000;
  new Gauge({
    name: 'idp_event_loop_delay_seconds',
    help: 'How late the event loop ran its timers since the last scrape (the sampling interval left out), by quantile.',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      this.set({ quantile: '0.99' }, lateness(delays.percentile(99)));
      this.set({ quantile: '1' }, lateness(delays.max));
      delays.reset();
    },
  });
}
