import type { Store } from './store.js';

/** What a 503 for an unavailable store suggests to the client. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The store could not be reached or written in time: a lock held past the busy timeout, a full or failing disk, no
 * MongoDB primary, a write concern not met. Shaped as oidc-provider's errors are (status, `expose`, an OAuth code),
 * so the protocol endpoints answer it as `temporarily_unavailable` with 503 on their own, and the page layer does the
 * same; the operation it interrupted either committed whole or not at all (every write is one transaction).
 */
export class StoreUnavailableError extends Error {
  readonly status = 503;
  readonly statusCode = 503;
  readonly expose = true;
  /** oidc-provider reports a redirectable authorization error to the client instead of a dead end. */
  readonly allow_redirect = true;
  readonly error = 'temporarily_unavailable';
  readonly error_description = 'The service is temporarily unavailable. Please try again in a moment.';

  constructor(cause: unknown) {
    super('temporarily_unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Whether a back end's error means "unavailable, try again" rather than a bug. */
export type UnavailableClassifier = (error: unknown) => boolean;

/** Told of each store call that failed as unavailable, with the call's name (`accounts.insert`). */
export type UnavailableObserver = (error: StoreUnavailableError, operation: string) => void;

/**
 * The store with every method's unavailability errors turned into `StoreUnavailableError`, in one place for every
 * back end and every caller (hosted pages, oidc-provider's adapter, the admin API, imports), and reported here
 * once, since each caller answers it differently (a form again, an OAuth error, a 503 page) and some not at all.
 */
export function guardStore(
  store: Store,
  isUnavailable: UnavailableClassifier,
  onUnavailable: UnavailableObserver = () => undefined,
): Store {
  const guard = <T extends object>(part: T, name: string): T => {
    // One wrapper per method, made at its first call: every store call of every request goes through here.
    const wrappers = new Map<PropertyKey, unknown>();
    return new Proxy(part, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        let wrapper = wrappers.get(key);
        if (wrapper === undefined) {
          // Every store method returns a promise; the embedded ones throw synchronously, which becomes a rejection.
          wrapper = async (...args: unknown[]): Promise<unknown> => {
            try {
              return await (Reflect.apply(value, target, args) as Promise<unknown>);
            } catch (error) {
              if (!isUnavailable(error)) throw error;
              const unavailable = new StoreUnavailableError(error);
              onUnavailable(unavailable, `${name}.${String(key)}`);
              throw unavailable;
            }
          };
          wrappers.set(key, wrapper);
        }
        return wrapper;
      },
    });
  };
  return {
    ...store,
    accounts: guard(store.accounts, 'accounts'),
    factors: guard(store.factors, 'factors'),
    artifacts: guard(store.artifacts, 'artifacts'),
    events: guard(store.events, 'events'),
    secrets: guard(store.secrets, 'secrets'),
    settings: guard(store.settings, 'settings'),
    webhooks: guard(store.webhooks, 'webhooks'),
    counters: guard(store.counters, 'counters'),
    leases: guard(store.leases, 'leases'),
    tombstones: guard(store.tombstones, 'tombstones'),
  };
}
