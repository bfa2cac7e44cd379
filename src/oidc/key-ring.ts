import type { SigningJwk } from './keys.js';

/**
 * The signing keys over time, as every process reads them from the store: each key is published (in the JWKS) from
 * its creation, signs from `activeFrom` (until a newer key of its algorithm does), and leaves the JWKS at `retireAt`.
 * Which key does what is a function of the ring and the clock alone, so processes that read the same ring agree
 * without talking to each other, and a rotation is one write of a new ring.
 *
 * A rotation adds a key per algorithm (RS256, ES256) that signs only after the publication lead time (so a relying party that
 * caches the JWKS has fetched the new key before any token carries it), and gives the keys it replaces a
 * `retireAt` after the last token they sign can have expired.
 */

export interface RingEntry {
  /** The private JWK (sealed where it is stored; see `signing-keys.ts`). */
  jwk: SigningJwk;
  /** Epoch ms: published from then. */
  createdAt: number;
  /** Epoch ms: signs from then, until a newer key of its algorithm is active. */
  activeFrom: number;
  /** Epoch ms: no longer published from then (and dropped from the ring at the next rotation). */
  retireAt?: number;
}

export interface KeyRing {
  entries: RingEntry[];
  /** Epoch ms of the last rotation (or of the ring's creation), for the schedule. */
  rotatedAt: number;
}

export interface KeyRingState {
  /** The keys that sign now, one per algorithm. */
  signing: SigningJwk[];
  /** Every key in the JWKS now: the signing ones first, then those published ahead or kept for verification. */
  published: SigningJwk[];
  /** Epoch ms of the next moment the state changes by the clock alone (a key starts signing or retires). */
  nextChangeAt: number | undefined;
}

export interface RotationTiming {
  /** How long a new key is published before it signs. */
  leadMs: number;
  /** How long a replaced key stays published after it stops signing: the longest a token it signed stays valid. */
  retireAfterMs: number;
}

const isPublished = (entry: RingEntry, now: number) =>
  entry.createdAt <= now && (entry.retireAt === undefined || now < entry.retireAt);

/** What the ring means at `now`. */
export function stateAt(ring: KeyRing, now: number): KeyRingState {
  const published = ring.entries.filter((entry) => isPublished(entry, now));
  const signing = new Map<string, RingEntry>();
  for (const entry of published) {
    if (entry.activeFrom > now) continue;
    const current = signing.get(entry.jwk.alg);
    if (!current || entry.activeFrom > current.activeFrom) signing.set(entry.jwk.alg, entry);
  }
  const signingKeys = [...signing.values()].map((entry) => entry.jwk);
  const future = ring.entries
    .flatMap((entry) => [entry.activeFrom, entry.retireAt ?? Infinity])
    .filter((at) => at > now && at !== Infinity);
  return {
    signing: signingKeys,
    published: [...signingKeys, ...published.map((entry) => entry.jwk).filter((jwk) => !signingKeys.includes(jwk))],
    nextChangeAt: future.length > 0 ? Math.min(...future) : undefined,
  };
}

/**
 * The ring after a rotation at `now`: one new key per algorithm signing, active after the lead time; the keys that
 * sign until then retire once the tokens they sign meanwhile have expired; keys already retired are dropped.
 */
export function rotated(ring: KeyRing, now: number, timing: RotationTiming, newKeys: readonly SigningJwk[]): KeyRing {
  const activeFrom = now + timing.leadMs;
  const retireAt = activeFrom + timing.retireAfterMs;
  const kept = ring.entries
    .filter((entry) => entry.retireAt === undefined || entry.retireAt > now)
    .map((entry) => (entry.retireAt === undefined ? { ...entry, retireAt } : entry));
  return { entries: [...kept, ...newKeys.map((jwk) => ({ jwk, createdAt: now, activeFrom }))], rotatedAt: now };
}
