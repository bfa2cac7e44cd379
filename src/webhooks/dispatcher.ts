import { createHmac } from 'node:crypto';
import type { StoredEvent } from '../events/event.js';
import type { Logger } from '../log/logger.js';
import type { WebhookDelivery, WebhookStore } from '../store/store.js';
import { webhookBody, webhookNameOf, type WebhookEventName } from './webhook-events.js';

/**
 * Webhooks: each subscribed event becomes a durable delivery in the store, sent in the background with an HMAC
 * signature, retried with exponential backoff until a 2xx answer (at least once; the event id is the idempotency
 * key), and never in the way of the sign-in that caused it.
 */

export interface WebhookConfig {
  id: string;
  url: string;
  secret: string;
  events: WebhookEventName[];
  maxAttempts: number;
  initialDelayMs: number;
  timeoutMs: number;
}

export interface WebhookDispatcher {
  /** Turns an event into deliveries (the recorder calls this after storing the event). */
  enqueue(event: StoredEvent): Promise<void>;
  /** Sends what is due now; normally driven by the timer. */
  deliverDue(): Promise<number>;
  close(): Promise<void>;
}

const LEASE_MS = 60_000;
const BATCH = 20;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as docs/operating-the-migration.md tells subscribers to verify. */
export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${String(timestamp)},v1=${createHmac('sha256', secret)
    .update(`${String(timestamp)}.${body}`)
    .digest('hex')}`;
}

export interface DispatcherOptions {
  pollMs?: number;
  /** The clock for signature timestamps and retry times (tests inject one); real time by default. */
  now?: () => number;
  /** The backoff's jitter source, in [0, 1); Math.random by default. */
  random?: () => number;
}

export function createWebhookDispatcher(
  webhooks: readonly WebhookConfig[],
  store: WebhookStore,
  logger: Logger,
  options: DispatcherOptions = {},
): WebhookDispatcher {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const log = logger.child({ component: 'webhooks' });
  const byId = new Map(webhooks.map((w) => [w.id, w]));
  let busy: Promise<number> | undefined;

  const attempt = async (delivery: WebhookDelivery, webhook: WebhookConfig) => {
    const timestamp = Math.floor(now() / 1000);
    let problem: string;
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-idp-event-id': delivery.eventId,
          'x-idp-signature': signature(webhook.secret, timestamp, delivery.payload),
          'user-agent': 'jit-idp-webhooks',
        },
        body: delivery.payload,
        signal: AbortSignal.timeout(webhook.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) {
        await store.delivered(delivery.id);
        return;
      }
      problem = `status ${String(response.status)}`;
    } catch (error) {
      problem = error instanceof Error ? error.name : 'error';
    }
    const attempts = delivery.attempts + 1;
    if (attempts >= webhook.maxAttempts) {
      log.error({ webhook: webhook.id, eventId: delivery.eventId, attempts, problem }, 'webhook delivery given up');
      await store.failed(delivery.id, problem, 'dead');
      return;
    }
    // Exponential backoff with jitter, at most an hour apart.
    const delay = Math.min(webhook.initialDelayMs * 2 ** (attempts - 1), 3_600_000) * (0.8 + random() * 0.4);
    log.warn(
      { webhook: webhook.id, eventId: delivery.eventId, attempts, problem },
      'webhook delivery failed, will retry',
    );
    await store.failed(delivery.id, problem, new Date(now() + delay));
    // This process tries again when it is due, sooner than the next poll; any process may pick it up meanwhile.
    setTimeout(tick, delay + 5).unref();
  };

  const deliverDue = async () => {
    const due = await store.claimDue(BATCH, LEASE_MS);
    await Promise.all(
      due.map(async (delivery) => {
        const webhook = byId.get(delivery.webhook);
        // Unknown here, perhaps configured in a newer process of a rolling deploy: left alone, the lease runs out and
        // a process that knows the webhook sends it.
        if (webhook) await attempt(delivery, webhook);
      }),
    );
    return due.length;
  };

  function tick() {
    busy ??= deliverDue()
      .catch((error: unknown) => {
        log.error({ err: error }, 'webhook dispatch failed');
        return 0;
      })
      .finally(() => (busy = undefined));
  }
  const timer = webhooks.length > 0 ? setInterval(tick, options.pollMs ?? 1000) : undefined;
  timer?.unref();

  return {
    async enqueue(event) {
      const name = webhookNameOf(event);
      if (!name) return;
      const subscribed = webhooks.filter((w) => w.events.includes(name));
      if (subscribed.length === 0) return;
      const payload = webhookBody(name, event);
      await store.enqueue(subscribed.map((w) => ({ webhook: w.id, eventId: event.id, payload })));
      tick();
    },
    deliverDue,
    async close() {
      if (timer) clearInterval(timer);
      await busy;
    },
  };
}
