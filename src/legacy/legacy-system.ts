import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  handleWhenResult,
  IsolatedCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import type {
  AuthenticateOutcome,
  CallContext,
  FindUserOutcome,
  LegacyConnector,
  WriteBackOutcome,
} from './connector.js';

/**
 * The legacy system as the rest of the IdP sees it: a connector behind timeouts, bounded concurrency and a circuit
 * breaker (cockatiel). A slow or failing legacy system costs the IdP a bounded number of waiting requests, then
 * fast "unavailable" answers until a probe finds it healthy again.
 */

export interface ResilienceOptions {
  /** Whole-call budget; the connector gets an AbortSignal that fires when it is spent. */
  timeoutMs: number;
  /** Calls in flight at once; more wait in a queue of `maxQueued`, beyond that they fail fast. */
  maxConcurrent: number;
  maxQueued: number;
  /** Consecutive unavailable answers that open the circuit. */
  breakerFailures: number;
  /** How long the circuit stays open before one probe call is let through. */
  breakerHalfOpenAfterMs: number;
  /** Attempts for look-ups (never for password checks: a retry must not count twice against a lockout policy). */
  lookupAttempts: number;
}

export type CircuitHealth = 'closed' | 'open' | 'half-open' | 'isolated';

export interface LegacyHealth {
  source: string;
  circuit: CircuitHealth;
  inFlight: number;
  queued: number;
}

export interface LegacySystem {
  readonly source: string;
  readonly passwordJudge: LegacyConnector['passwordJudge'];
  authenticate(login: string, password: string): Promise<AuthenticateOutcome>;
  findUser(login: string): Promise<FindUserOutcome>;
  /** Undefined when the connector has no write-back. */
  afterMigration(legacyId: string): Promise<WriteBackOutcome | undefined>;
  health(): LegacyHealth;
  /** The connector's enumeration (bulk import, scan), unguarded: an import is one sequential reader. */
  enumerateUsers?: LegacyConnector['enumerateUsers'];
  countUsers?: LegacyConnector['countUsers'];
  close(): Promise<void>;
}

const CIRCUIT_NAMES: Record<CircuitState, CircuitHealth> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const isUnavailable = (outcome: unknown) => (outcome as { kind?: unknown }).kind === 'unavailable';

export interface LegacyObservers {
  onCircuitChange?: (state: CircuitHealth) => void;
  /** Every call as the caller saw it: operation, outcome kind, seconds (for the latency histogram). */
  onCall?: (operation: 'authenticate' | 'findUser' | 'afterMigration', outcome: string, seconds: number) => void;
}

export function createLegacySystem(
  connector: LegacyConnector,
  options: ResilienceOptions,
  observers: LegacyObservers = {},
): LegacySystem {
  const { onCircuitChange } = observers;
  const timed = async <T extends { kind: string }>(
    operation: 'authenticate' | 'findUser' | 'afterMigration',
    call: () => Promise<T>,
  ): Promise<T> => {
    const started = performance.now();
    const outcome = await call();
    observers.onCall?.(operation, outcome.kind, (performance.now() - started) / 1000);
    return outcome;
  };
  const limit = bulkhead(options.maxConcurrent, options.maxQueued);
  // Only an unavailable legacy system counts against it: a wrong password is a healthy answer.
  const breaker = circuitBreaker(handleAll.orWhenResult(isUnavailable), {
    halfOpenAfter: options.breakerHalfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerFailures),
  });
  breaker.onStateChange((state) => onCircuitChange?.(CIRCUIT_NAMES[state]));
  // Two deadlines. The caller's (outermost, aggressive) covers the wait for a slot too and answers on time. The
  // work's (innermost, cooperative) aborts the connector's signal and keeps the slot until the connector has
  // actually stopped, so abandoned calls never pile up beyond the concurrency bound.
  const callerDeadline = (ms: number) => timeout(ms, TimeoutStrategy.Aggressive);
  const work = timeout(options.timeoutMs, TimeoutStrategy.Cooperative);
  const guarded = wrap(callerDeadline(options.timeoutMs), limit, breaker, work);
  const lookups = wrap(
    callerDeadline(options.timeoutMs * options.lookupAttempts),
    retry(handleWhenResult(isUnavailable), {
      maxAttempts: options.lookupAttempts - 1,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
    }),
    limit,
    breaker,
    work,
  );
  // Write-backs are bounded like every call, but do not decide whether sign-ins may reach the legacy system.
  const writeBacks = wrap(callerDeadline(options.timeoutMs), limit, work);

  return {
    source: connector.source,
    passwordJudge: connector.passwordJudge,
    authenticate: (login, password) =>
      timed('authenticate', () =>
        settle(guarded.execute(({ signal }) => connector.authenticate(login, password, context(signal)))),
      ),
    findUser: (login) =>
      timed('findUser', () => settle(lookups.execute(({ signal }) => connector.findUser(login, context(signal))))),
    async afterMigration(legacyId) {
      const writeBack = connector.afterMigration?.bind(connector);
      if (!writeBack) return undefined;
      return timed('afterMigration', async (): Promise<WriteBackOutcome> => {
        try {
          return await writeBacks.execute(({ signal }) => writeBack(legacyId, context(signal)));
        } catch (error) {
          return { kind: 'failed', cause: describe(error) };
        }
      });
    },
    health: () => ({
      source: connector.source,
      circuit: CIRCUIT_NAMES[breaker.state],
      inFlight: options.maxConcurrent - limit.executionSlots,
      queued: options.maxQueued - limit.queueSlots,
    }),
    ...(connector.enumerateUsers ? { enumerateUsers: connector.enumerateUsers.bind(connector) } : {}),
    ...(connector.countUsers ? { countUsers: connector.countUsers.bind(connector) } : {}),
    close: () => connector.close(),
  };
}

function context(signal: AbortSignal): CallContext {
  return { signal };
}

/** Every way a guarded call can fail becomes the one outcome callers handle: unavailable, with why. */
async function settle<T extends { kind: string }>(
  call: Promise<T>,
): Promise<T | { kind: 'unavailable'; cause: string }> {
  try {
    return await call;
  } catch (error) {
    return { kind: 'unavailable', cause: describe(error) };
  }
}

function describe(error: unknown): string {
  if (error instanceof BulkheadRejectedError) return 'too many concurrent legacy calls';
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return 'circuit open';
  if (error instanceof TaskCancelledError) return 'timeout';
  return `connector error (${error instanceof Error ? error.message : String(error)})`;
}
