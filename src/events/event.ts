/**
 * What the IdP records about itself. Events never carry a secret: no password, hash or token, only ids, confirmed
 * logins and reasons.
 */
export type MigrationFailureReason = 'invalid_credentials' | 'disabled' | 'unavailable' | 'validation' | 'conflict';

export type IdpEvent =
  | {
      type: 'migrated';
      accountId: string;
      login: string;
      legacy: { source: string; id: string };
      legacyLatencyMs: number;
    }
  | {
      type: 'migration_failed';
      /** Only once the legacy system confirmed the credentials (validation, conflict): before that it may be a typo'd password. */
      login?: string;
      reason: MigrationFailureReason;
      /** Names of the account fields that failed validation or collided. */
      fields?: string[];
      /** For `unavailable`: how the legacy system failed (timeout, status 500, …). */
      cause?: string;
      legacyLatencyMs?: number;
    }
  | { type: 'signed_in'; accountId: string; migrated: boolean }
  | { type: 'registered'; accountId: string };

type EventType = IdpEvent['type'];

export type StoredEvent = IdpEvent & { id: string; at: Date };

export interface EventQuery {
  type?: EventType;
  accountId?: string;
  limit?: number;
}

/** How many events a query returns: 100 unless asked, and never "all" by accident. */
export function eventLimit(query: EventQuery): number {
  return Math.max(1, query.limit ?? 100);
}
