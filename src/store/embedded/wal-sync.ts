import { open, type FileHandle } from 'node:fs/promises';

/** Makes every commit so far survive a power cut; concurrent callers share one sync of the log (group commit). */
export interface WalSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Syncs the write-ahead log `${path}-wal` with fdatasync on libuv's thread pool, so the event loop goes on while the
 * disk works. A commit is in the log before it returns, and the log is the file a power cut is recovered from, so
 * a sync begun after a commit makes that commit as durable as `synchronous = FULL` would have, without FULL's sync
 * inside the commit on the calling thread. A sync that fails is reported as SQLite's own I/O error, which the store
 * guard answers as "store unavailable".
 */
export function createWalSync(path: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  let inFlight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  const syncOnce = async () => {
    try {
      handle ??= open(`${path}-wal`, 'r');
      await (await handle).datasync();
    } catch (error) {
      handle = undefined;
      throw Object.assign(new Error('could not sync the write-ahead log', { cause: error }), {
        code: 'SQLITE_IOERR_FSYNC',
      });
    }
  };

  const sync = (): Promise<void> => {
    if (!inFlight) {
      inFlight = syncOnce().finally(() => (inFlight = undefined));
      return inFlight;
    }
    // The sync in flight may have begun before the caller's commit: wait for the one after it, shared by everyone
    // who arrives meanwhile.
    queued ??= inFlight
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return sync();
      });
    return queued;
  };

  return {
    sync,
    close: async () => {
      await Promise.allSettled([inFlight, queued]);
      await (await handle?.catch(() => undefined))?.close();
      handle = undefined;
    },
  };
}

/**
 * `store` with each of `writes` followed by `sync()` before its promise settles: the durable writes of a store
 * whose connection commits without syncing. Everything else is the store's own, bound to it.
 */
export function syncedAfter<T extends object>(store: T, writes: readonly (keyof T)[], sync: () => Promise<void>): T {
  const wanted = new Set<PropertyKey>(writes);
  // Made once per method, not at every call: reads such as findByLogin are on every sign-in's path.
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      let method = methods.get(name);
      if (!method) {
        const own = value as (...args: unknown[]) => unknown;
        method = wanted.has(name)
          ? async (...args: unknown[]) => {
              const result = await own.apply(target, args);
              await sync();
              return result;
            }
          : own.bind(target);
        methods.set(name, method);
      }
      return method;
    },
  });
}
