import { WEBHOOK_EVENT_NAMES, type WebhookEventName } from '../config/webhook-event-names.js';
import type { StoredEvent } from '../events/event.js';

export { WEBHOOK_EVENT_NAMES, type WebhookEventName };

/** Which internal event each name webhook subscribers use (src/config/webhook-event-names.ts) stands for. */
export const WEBHOOK_EVENTS = {
  'user.migrated': 'migrated',
  'user.registered': 'registered',
  'user.password_reset': 'password_reset',
  'user.deleted': 'account_deleted',
  'migration.failed': 'migration_failed',
  'migration.conflict': 'migration_conflict',
  'migration.imported': 'imported',
  'admin.action': 'admin_action',
} as const satisfies Record<WebhookEventName, StoredEvent['type']>;

export function webhookNameOf(event: StoredEvent): WebhookEventName | undefined {
  return WEBHOOK_EVENT_NAMES.find((name) => WEBHOOK_EVENTS[name] === event.type);
}

/** The body a subscriber receives; `id` is the idempotency key (the same on every retry). */
export function webhookBody(name: WebhookEventName, event: StoredEvent): string {
  const { id, at, ...rest } = event;
  const data: Record<string, unknown> = { ...rest };
  delete data.type;
  return JSON.stringify({ id, type: name, createdAt: at.toISOString(), data });
}
