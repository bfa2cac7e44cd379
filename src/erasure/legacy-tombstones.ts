import { createHmac } from 'node:crypto';
import type { TombstoneStore } from '../store/store.js';

/** A legacy user as the migration names them: the legacy system and its id for the user. */
export interface LegacyUserRef {
  source: string;
  id: string;
}

/**
 * What is left of an erased account's legacy link, so its user is not migrated again by accident: a sign-in with the
 * legacy password they still have, an import of the legacy store, a password reset by email would each make the
 * account anew. The store keeps an HMAC of (source, id) under a key sealed in the store, never the id: a copy of the
 * store cannot tell which legacy users left (legacy ids are often short numbers, which a plain hash would not hide).
 */
export interface LegacyTombstones {
  bury(ref: LegacyUserRef, at: Date): Promise<void>;
  isBuried(ref: LegacyUserRef): Promise<boolean>;
  /** Of these ids of one source, the buried ones; one store query per batch (an import's or a scan's page). */
  buried(source: string, ids: readonly string[]): Promise<Set<string>>;
  /** An operator lets the user migrate again; false when there was no tombstone. */
  lift(ref: LegacyUserRef): Promise<boolean>;
}

export function createLegacyTombstones(store: TombstoneStore, key: string): LegacyTombstones {
  // A separator no source name holds, so ("a", "b:c") and ("a:b", "c") are different users.
  const mark = (source: string, id: string) => createHmac('sha256', key).update(`${source}\u0000${id}`).digest('hex');
  return {
    bury: (ref, at) => store.add(mark(ref.source, ref.id), at),
    isBuried: async (ref) => (await store.existing([mark(ref.source, ref.id)])).size > 0,
    async buried(source, ids) {
      const byMark = new Map(ids.map((id) => [mark(source, id), id]));
      const found = await store.existing([...byMark.keys()]);
      return new Set([...found].map((m) => byMark.get(m) ?? ''));
    },
    lift: (ref) => store.remove(mark(ref.source, ref.id)),
  };
}

/** The key is made once per store and kept sealed like every other secret there (the name is the sealed secret's). */
export const TOMBSTONE_KEY_SECRET = 'tombstone-key';
