/**
 * The event names webhook subscribers choose from (`webhooks[].events`). Which stored event each one stands for is
 * src/webhooks/webhook-events.ts's business; the configuration only needs the names.
 */
export const WEBHOOK_EVENT_NAMES = [
  'user.migrated',
  'user.registered',
  'user.password_reset',
  'user.deleted',
  'migration.failed',
  'migration.conflict',
  'migration.imported',
  'admin.action',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];
