import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { SecretBox } from '../security/secret-box.js';
import type { LeaseStore, SecretStore, SettingsStore, Store } from '../store/store.js';
import { rotated, stateAt, type KeyRing, type KeyRingState, type RotationTiming } from './key-ring.js';
import { generateSigningKey, type SigningJwk } from './keys.js';

/**
 * The token signing keys of every process on a store, rotated on a schedule and on demand (see `key-ring.ts` for
 * what a rotation does). The ring is kept in the store with each private key sealed (AES-256-GCM, the IdP's secret
 * keys): a copy of the store alone yields no usable signing key when those keys are configured, as production
 * requires. Each process reads the ring at start and again every `pollMs`, and hands any change of what is published
 * or what signs to its listeners (oidc-provider's keystore, the JWKS snapshot, the admin API's verifier).
 */

export interface SigningKeysOptions {
  settings: SettingsStore;
  secrets: SecretStore;
  leases: LeaseStore;
  secretBox: SecretBox;
  timing: RotationTiming;
  /** Scheduled rotations, this long apart; 0: only on demand. */
  rotationIntervalMs: number;
  /** How often the ring is read again from the store. */
  pollMs: number;
  logger: Logger;
  now?: () => number;
}

/** A key as the admin API and the console describe it (never its private part). */
export interface SigningKeyInfo {
  kid: string;
  alg: string;
  status: 'signing' | 'published ahead' | 'retiring';
  createdAt: Date;
  activeFrom: Date;
  retireAt: Date | undefined;
}

export type RotationOutcome =
  | { kind: 'rotated'; activeFrom: Date; kids: string[] }
  /** Another process holds the ring's lease (it is rotating): nothing was done here. */
  | { kind: 'busy' };

export interface SigningKeys {
  /** What publishes and signs now, as last applied. */
  current(): KeyRingState;
  describe(): SigningKeyInfo[];
  rotate(): Promise<RotationOutcome>;
  /** Reads the ring again and applies any change (also done every `pollMs`). */
  refresh(): Promise<void>;
  /** Called with the state whenever what is published or what signs changes, and once now. */
  onChange(listener: (state: KeyRingState) => void | Promise<void>): Promise<void>;
  close(): void;
}

const RING = 'signing-key-ring';
/** Where versions before the ring kept their two keys, in clear. */
const LEGACY_SECRET = 'signing-keys';
/** One key of each: RS256 for every client by default, ES256 for clients that ask for it. */
const ALGORITHMS: readonly SigningJwk['alg'][] = ['RS256', 'ES256'];
const LEASE = 'signing-key-ring';
const LEASE_MS = 10_000;

/** The ring as the store keeps it: each private JWK sealed, bound to its kid. */
interface StoredEntry {
  kid: string;
  alg: SigningJwk['alg'];
  sealed: string;
  createdAt: number;
  activeFrom: number;
  retireAt?: number;
}
interface StoredRing {
  /** One more at every write: how a process tells that the ring changed since it read it. */
  version: number;
  entries: StoredEntry[];
  rotatedAt: number;
}

const sealContext = (kid: string) => `signing-key:${kid}`;

export async function openSigningKeys(options: SigningKeysOptions): Promise<SigningKeys> {
  const now = options.now ?? Date.now;
  const holder = randomUUID();
  const listeners: ((state: KeyRingState) => void | Promise<void>)[] = [];

  const seal = (ring: KeyRing, version: number): StoredRing => ({
    version,
    rotatedAt: ring.rotatedAt,
    entries: ring.entries.map(({ jwk, createdAt, activeFrom, retireAt }) => ({
      kid: jwk.kid,
      alg: jwk.alg,
      sealed: options.secretBox.seal(JSON.stringify(jwk), sealContext(jwk.kid)),
      createdAt,
      activeFrom,
      ...(retireAt === undefined ? {} : { retireAt }),
    })),
  });

  const open = (stored: StoredRing): KeyRing => ({
    rotatedAt: stored.rotatedAt,
    entries: stored.entries.map(({ kid, sealed, createdAt, activeFrom, retireAt }) => {
      const opened = options.secretBox.open(sealed, sealContext(kid));
      if (opened.kind !== 'opened') {
        throw new Error(
          `signing key ${kid} cannot be opened (${opened.kind === 'unknown-key' ? `sealed with key "${opened.keyId}", which is not configured` : 'altered or not sealed here'})`,
        );
      }
      return {
        jwk: JSON.parse(opened.plaintext) as SigningJwk,
        createdAt,
        activeFrom,
        ...(retireAt === undefined ? {} : { retireAt }),
      };
    }),
  });

  /**
   * The ring, opened; keys sealed under an older key-encryption key are sealed anew under the current one (by
   * whichever process gets the lease), so the older key can leave the configuration.
   */
  const openAndReseal = async (stored: StoredRing): Promise<KeyRing> => {
    const opened = open(stored);
    if (stored.entries.some((entry) => options.secretBox.needsResealing(entry.sealed))) {
      await withLease(async () => {
        const latest = await options.settings.get<StoredRing>(RING);
        if (latest?.version === stored.version) await options.settings.set(RING, seal(opened, stored.version + 1));
      });
    }
    return opened;
  };

  /** Runs `write` with the ring's lease, so two processes never write the ring at once; undefined while busy. */
  const withLease = async <T>(write: () => Promise<T>): Promise<T | undefined> => {
    if (!(await options.leases.acquire(LEASE, holder, LEASE_MS))) return undefined;
    try {
      return await write();
    } finally {
      await options.leases.release(LEASE, holder);
    }
  };

  /**
   * The ring in the store. The first process on a store makes it from the keys an earlier version kept (or new
   * ones), already active; a process that loses the race for the lease waits for the winner's ring.
   */
  const load = async (): Promise<{ ring: KeyRing; version: number }> => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const stored = await options.settings.get<StoredRing>(RING);
      if (stored) return { ring: await openAndReseal(stored), version: stored.version };
      const made = await withLease(async () => {
        if (await options.settings.get<StoredRing>(RING)) return undefined;
        // Keys an earlier version kept in clear become the ring's first keys, sealed, and leave the clear store.
        const keys =
          (await options.secrets.find<SigningJwk[]>(LEGACY_SECRET)) ??
          (await Promise.all(ALGORITHMS.map(generateSigningKey)));
        const ring: KeyRing = {
          rotatedAt: now(),
          entries: keys.map((jwk) => ({ jwk, createdAt: 0, activeFrom: 0 })),
        };
        await options.settings.set(RING, seal(ring, 1));
        await options.secrets.remove(LEGACY_SECRET);
        return { ring, version: 1 };
      });
      if (made) return made;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the signing key ring could not be read or made');
  };

  let { ring, version } = await load();
  let state = stateAt(ring, now());
  const fingerprint = (s: KeyRingState) =>
    `${s.signing.map((k) => k.kid).join(',')}|${s.published.map((k) => k.kid).join(',')}`;

  // Wakes at the next moment the state changes by the clock, so that every process switches keys then, not at its
  // next poll. (A timer cannot wait longer than 2^31-1 ms: a farther moment is waited for in steps.)
  let boundary: NodeJS.Timeout | undefined;
  const scheduleBoundary = (at: number | undefined) => {
    clearTimeout(boundary);
    if (at === undefined) return;
    boundary = setTimeout(
      () => {
        apply().catch((error: unknown) => options.logger.warn({ err: error }, 'could not apply the signing keys'));
      },
      Math.min(Math.max(0, at - now()) + 5, 2 ** 31 - 1),
    );
    boundary.unref();
  };

  const apply = async () => {
    const next = stateAt(ring, now());
    scheduleBoundary(next.nextChangeAt);
    if (fingerprint(next) === fingerprint(state)) return;
    state = next;
    options.logger.info(
      { signing: state.signing.map((k) => k.kid), published: state.published.map((k) => k.kid) },
      'signing keys changed',
    );
    for (const listener of listeners) await listener(state);
  };

  const isDue = (current: KeyRing) =>
    options.rotationIntervalMs > 0 && now() - current.rotatedAt >= options.rotationIntervalMs;

  /**
   * A rotation now, or (`onlyIfDue`, the schedule) only if the ring in the store is still due: of processes that
   * find it due at once, the first rotates and the others find it done.
   */
  const rotate = async (onlyIfDue = false): Promise<RotationOutcome> => {
    const fresh = await Promise.all(ALGORITHMS.map(generateSigningKey));
    const outcome = await withLease(async () => {
      const stored = await options.settings.get<StoredRing>(RING);
      const current = stored ? open(stored) : ring;
      if (onlyIfDue && !isDue(current)) return undefined;
      const next = rotated(current, now(), options.timing, fresh);
      version = (stored?.version ?? version) + 1;
      await options.settings.set(RING, seal(next, version));
      return next;
    });
    // Busy (another process holds the lease), or the schedule found the rotation done already.
    if (!outcome) return { kind: 'busy' };
    ring = outcome;
    await apply();
    const added = outcome.entries.filter((entry) => entry.createdAt === outcome.rotatedAt);
    return {
      kind: 'rotated',
      activeFrom: new Date(added[0]?.activeFrom ?? outcome.rotatedAt),
      kids: added.map((entry) => entry.jwk.kid),
    };
  };

  const refresh = async () => {
    const stored = await options.settings.get<StoredRing>(RING);
    if (stored && stored.version !== version) {
      ring = await openAndReseal(stored);
      version = stored.version;
    }
    if (isDue(ring)) await rotate(true);
    await apply();
  };

  scheduleBoundary(state.nextChangeAt);
  // Every change of state by the clock (a key starts signing or retires) and every rotation by another process is
  // picked up within `pollMs`; a failed read (the store away) is tried again at the next tick.
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => options.logger.warn({ err: error }, 'could not read the signing keys'));
  }, options.pollMs);
  timer.unref();

  return {
    current: () => state,
    describe() {
      const at = now();
      const signing = new Set(state.signing.map((k) => k.kid));
      return ring.entries
        .filter((entry) => entry.retireAt === undefined || entry.retireAt > at)
        .map((entry) => ({
          kid: entry.jwk.kid,
          alg: entry.jwk.alg,
          status: signing.has(entry.jwk.kid) ? 'signing' : entry.activeFrom > at ? 'published ahead' : 'retiring',
          createdAt: new Date(entry.createdAt),
          activeFrom: new Date(entry.activeFrom),
          retireAt: entry.retireAt === undefined ? undefined : new Date(entry.retireAt),
        }));
    },
    rotate: () => rotate(),
    refresh,
    async onChange(listener) {
      listeners.push(listener);
      await listener(state);
    },
    close() {
      clearInterval(timer);
      clearTimeout(boundary);
    },
  };
}

/** How often each process reads the ring again: often enough for a quarter of the publication lead time. */
export function pollIntervalMs(config: Config): number {
  return Math.min(30_000, Math.max(500, (config.signingKeys.publicationLeadSeconds * 1000) / 4));
}

/**
 * The longest a signed token stays valid (ID tokens, JWT access tokens, any API's own lifetime), plus room for the
 * clocks of relying parties (a minute, or a quarter of the lead time if shorter): a replaced key stays published that
 * long after it stops signing. Every process stops signing with it at the same moment (a timer at `activeFrom`).
 */
export function retireAfterMs(config: Config): number {
  const apiTtls = Object.values(config.resourceServers).map((api) => api.accessTokenTTL ?? 0);
  const longest = Math.max(config.ttl.idToken, config.ttl.accessToken, ...apiTtls) * 1000;
  return longest + Math.min(60_000, (config.signingKeys.publicationLeadSeconds * 1000) / 4);
}

/** The JWKS's Cache-Control: half the publication lead time, so a cached copy is fetched anew before a key signs. */
export function jwksCacheControl(config: Config): string {
  return `public, max-age=${String(Math.floor(config.signingKeys.publicationLeadSeconds / 2))}`;
}

/** The signing keys as the configuration says, on the store. */
export function openSigningKeysFor(
  config: Config,
  store: Pick<Store, 'settings' | 'secrets' | 'leases'>,
  secretBox: SecretBox,
  logger: Logger,
): Promise<SigningKeys> {
  return openSigningKeys({
    settings: store.settings,
    secrets: store.secrets,
    leases: store.leases,
    secretBox,
    timing: { leadMs: config.signingKeys.publicationLeadSeconds * 1000, retireAfterMs: retireAfterMs(config) },
    rotationIntervalMs: config.signingKeys.rotationDays * 86_400_000,
    pollMs: pollIntervalMs(config),
    logger,
  });
}
