import type { StoredEvent } from '../events/event.js';

/** Names webhook subscribers use, and which internal event each stands for. */
export const WEBHOOK_EVENTS = {
  'user.migrated': 'migrated',
  'user.registered': 'registered',
  'user.password_reset': 'password_reset',
  'user.deleted': 'account_deleted',
  'migration.failed': 'migration_failed',
  'migration.conflict': 'migration_conflict',
  'migration.imported': 'imported',
  'admin.action': 'admin_action',
} as const satisfies Record<string, StoredEvent['type']>;

export type WebhookEventName = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENTS) as [WebhookEventName, ...WebhookEventName[]];

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
