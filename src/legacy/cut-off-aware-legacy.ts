import type { SettingsStore } from '../store/store.js';
import type { LegacySystem } from './legacy-system.js';

/**
 * The cut-off: once recorded, nothing calls the legacy system any more. An unknown login is then simply a wrong
 * username or password, and sign-up checks only the local store. Recorded in the store (shared by every process)
 * from the console, or fixed in configuration (`legacy` removed, or `migration.cutOff: true`).
 */

export interface CutOffState {
  cutOff: boolean;
  /** From the configuration, which the console cannot change. */
  byConfiguration: boolean;
  at?: string;
  by?: string;
}

/** The legacy system behind the operator's cut-off: every caller asks it for the system, never holds one itself. */
export interface CutOffAwareLegacy {
  /** The legacy system, unless cut off. */
  active(): Promise<LegacySystem | undefined>;
  state(): Promise<CutOffState>;
  /** Records the cut-off (or its reversal) with who did it. */
  set(cutOff: boolean, by: string): Promise<void>;
}

const SETTING = 'legacy_cutoff';
/** Other processes see a change within this time; a sign-in reads the setting at most this often. */
const CACHE_MS = 2000;

interface StoredCutOff {
  cutOff: boolean;
  at: string;
  by: string;
}

export function createCutOffAwareLegacy(
  legacy: LegacySystem | undefined,
  settings: SettingsStore,
  cutOffByConfiguration: boolean,
): CutOffAwareLegacy {
  let cached: { value: StoredCutOff | undefined; until: number } | undefined;
  const read = async () => {
    if (!cached || cached.until < Date.now()) {
      cached = { value: await settings.get<StoredCutOff>(SETTING), until: Date.now() + CACHE_MS };
    }
    return cached.value;
  };
  return {
    async active() {
      if (!legacy || cutOffByConfiguration) return undefined;
      return (await read())?.cutOff ? undefined : legacy;
    },
    async state() {
      if (!legacy || cutOffByConfiguration) return { cutOff: true, byConfiguration: true };
      const stored = await read();
      return {
        cutOff: stored?.cutOff ?? false,
        byConfiguration: false,
        ...(stored ? { at: stored.at, by: stored.by } : {}),
      };
    },
    async set(cutOff, by) {
      if (!legacy || cutOffByConfiguration) throw new Error('the cut-off is fixed by the configuration');
      const value: StoredCutOff = { cutOff, at: new Date().toISOString(), by };
      await settings.set(SETTING, value);
      cached = { value, until: Date.now() + CACHE_MS };
    },
  };
}
