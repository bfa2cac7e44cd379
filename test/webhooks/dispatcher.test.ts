import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { StoredEvent } from '../../src/events/event.js';
import { createLogger } from '../../src/log/logger.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import type { WebhookStore } from '../../src/store/store.js';
import {
  createWebhookDispatcher,
  signature,
  type DispatcherOptions,
  type WebhookConfig,
} from '../../src/webhooks/dispatcher.js';
import { eventually } from '../support/eventually.js';

/**
 * The webhook dispatcher on an in-memory store, a local subscriber and a clock the test moves. Retries are driven by
 * calling deliverDue() rather than by waiting: the dispatcher's own poll and retry timers are set hours away.
 */

const SECRET = 'dispatcher-test-secret-0123456789';
const HOUR = 3_600_000;

interface Received {
  eventId: string;
  signature: string;
  body: string;
}

/** A subscriber answering each request with the next status of `answers` (204 once they run out). */
const subscriber = {
  answers: [] as number[],
  received: [] as Received[],
  server: undefined as Server | undefined,
  url: '',
};

before(async () => {
  subscriber.server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      subscriber.received.push({
        eventId: String(req.headers['x-idp-event-id']),
        signature: String(req.headers['x-idp-signature']),
        body,
      });
      res.writeHead(subscriber.answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => subscriber.server?.listen(0, '127.0.0.1', resolve));
  subscriber.url = `http://127.0.0.1:${String((subscriber.server.address() as AddressInfo).port)}/hooks`;
});
after(() => new Promise<void>((resolve) => subscriber.server?.close(() => resolve())));

beforeEach(() => {
  subscriber.answers = [];
  subscriber.received = [];
});

function manualClock(at: number) {
  let now = at;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** The store, recording the retry time the dispatcher asks for on every failure. */
function recordingStore() {
  const store = openEmbeddedStore(':memory:');
  const failures: { error: string; next: number | 'dead' }[] = [];
  const webhooks: WebhookStore = {
    enqueue: (deliveries) => store.webhooks.enqueue(deliveries),
    claimDue: (limit, leaseMs) => store.webhooks.claimDue(limit, leaseMs),
    delivered: (id) => store.webhooks.delivered(id),
    failed: (id, error, next) => {
      failures.push({ error, next: next === 'dead' ? next : next.getTime() });
      return store.webhooks.failed(id, error, next);
    },
    counts: () => store.webhooks.counts(),
  };
  return { store, webhooks, failures };
}

function webhook(overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    id: 'crm',
    url: subscriber.url,
    secret: SECRET,
    events: ['user.migrated'],
    maxAttempts: 5,
    // Far beyond the test: the dispatcher's own retry timer (real time) never fires while it runs.
    initialDelayMs: HOUR,
    timeoutMs: 5000,
    ...overrides,
  };
}

function dispatcher(hooks: WebhookConfig[], options: DispatcherOptions) {
  const { store, webhooks, failures } = recordingStore();
  const dispatch = createWebhookDispatcher(hooks, webhooks, createLogger('silent'), { pollMs: HOUR, ...options });
  return {
    dispatch,
    store,
    failures,
    close: async () => {
      await dispatch.close();
      store.close();
    },
  };
}

const migrated = (id: string): StoredEvent => ({
  id,
  at: new Date(Date.UTC(2026, 0, 1)),
  type: 'migrated',
  accountId: 'acc-1',
  login: 'alice',
  legacy: { source: 'legacy-db', id: 'L-1' },
});

/** A delivery put straight into the store, as dispatcher.enqueue would, without its immediate background send. */
async function queue(store: ReturnType<typeof openEmbeddedStore>, eventId: string) {
  await store.webhooks.enqueue([{ webhook: 'crm', eventId, payload: JSON.stringify({ id: eventId }) }]);
}

describe('webhook dispatcher (injected clock)', () => {
  it('retries with exponential backoff from the clock, with the same idempotency key, until a 2xx', async () => {
    // A week back: every retry time it asks for is already past for the store, so each deliverDue() finds it due.
    const clock = manualClock(Date.now() - 7 * 24 * HOUR);
    const { dispatch, store, failures, close } = dispatcher([webhook({ initialDelayMs: 60_000 })], {
      now: clock.now,
      random: () => 0.5,
    });
    try {
      await queue(store, 'evt-retry');
      subscriber.answers = [500, 500, 503];
      const attemptedAt: number[] = [];
      for (let attempt = 1; attempt <= 4; attempt++) {
        attemptedAt.push(clock.now());
        assert.equal(await dispatch.deliverDue(), 1, `attempt ${String(attempt)} is due`);
        const last = failures.at(-1);
        if (attempt < 4 && typeof last?.next === 'number') clock.advance(last.next - clock.now());
      }
      const [t0 = 0] = attemptedAt;
      assert.deepEqual(
        failures,
        [
          { error: 'status 500', next: t0 + 60_000 },
          { error: 'status 500', next: t0 + 60_000 + 120_000 },
          { error: 'status 503', next: t0 + 60_000 + 120_000 + 240_000 },
        ],
        'one minute, doubling',
      );
      assert.equal(subscriber.received.length, 4);
      assert.deepEqual(new Set(subscriber.received.map((r) => r.eventId)), new Set(['evt-retry']));
      subscriber.received.forEach((r, i) => {
        const at = Math.floor((attemptedAt[i] ?? 0) / 1000);
        assert.equal(r.signature, signature(SECRET, at, r.body), `attempt ${String(i + 1)} signed at its own time`);
      });
      assert.deepEqual(await store.webhooks.counts(), { pending: 0, delivered: 1, dead: 0 });
      assert.equal(await dispatch.deliverDue(), 0, 'nothing more once accepted');
    } finally {
      await close();
    }
  });

  it('does not send a retry before its time', async () => {
    // The clock stands at the store's own time, so the first retry (an hour on) is not due yet.
    const { dispatch, store, failures, close } = dispatcher([webhook()], { now: manualClock(Date.now()).now });
    try {
      await queue(store, 'evt-early');
      subscriber.answers = [500];
      assert.equal(await dispatch.deliverDue(), 1);
      assert.equal(failures.length, 1);
      assert.equal(await dispatch.deliverDue(), 0);
      assert.equal(subscriber.received.length, 1);
      assert.deepEqual(await store.webhooks.counts(), { pending: 1, delivered: 0, dead: 0 });
    } finally {
      await close();
    }
  });

  it('gives up after maxAttempts, capping the backoff at an hour on the way', async () => {
    const clock = manualClock(Date.now() - 30 * 24 * HOUR);
    const { dispatch, store, failures, close } = dispatcher([webhook({ initialDelayMs: 1_000_000, maxAttempts: 5 })], {
      now: clock.now,
      random: () => 0.5,
    });
    try {
      await queue(store, 'evt-dead');
      subscriber.answers = [500, 500, 500, 500, 500, 500];
      const delays: (number | 'dead' | 'missing')[] = [];
      for (let attempt = 1; attempt <= 5; attempt++) {
        await dispatch.deliverDue();
        const next = failures.at(-1)?.next ?? 'missing';
        delays.push(typeof next === 'number' ? next - clock.now() : next);
        if (typeof next === 'number') clock.advance(next - clock.now());
      }
      assert.deepEqual(delays, [1_000_000, 2_000_000, HOUR, HOUR, 'dead']);
      assert.deepEqual(await store.webhooks.counts(), { pending: 0, delivered: 0, dead: 1 });
      assert.equal(await dispatch.deliverDue(), 0);
      assert.equal(subscriber.received.length, 5, 'no attempt after the last');
    } finally {
      await close();
    }
  });

  it('jitters each delay by at most a fifth either way', async () => {
    const clock = manualClock(Date.now() - 7 * 24 * HOUR);
    for (const [random, factor] of [
      [0, 0.8],
      [0.999_999, 1.2],
    ] as const) {
      const { dispatch, store, failures, close } = dispatcher([webhook({ initialDelayMs: 100_000 })], {
        now: clock.now,
        random: () => random,
      });
      try {
        await queue(store, `evt-jitter-${String(random)}`);
        subscriber.answers = [500];
        await dispatch.deliverDue();
        const next = failures[0]?.next;
        assert.ok(typeof next === 'number');
        // Within a millisecond: a Date keeps whole milliseconds.
        assert.ok(Math.abs(next - clock.now() - 100_000 * factor) <= 1, `${String(next - clock.now())} ms`);
      } finally {
        await close();
      }
    }
  });

  it('turns a subscribed event into one delivery per webhook, once however often it is enqueued', async () => {
    const { dispatch, store, close } = dispatcher(
      [
        webhook(),
        webhook({ id: 'audit', events: ['user.migrated', 'user.deleted'] }),
        webhook({ id: 'other', events: ['user.deleted'] }),
      ],
      { now: manualClock(Date.now()).now },
    );
    try {
      await dispatch.enqueue(migrated('evt-once'));
      await eventually(() => subscriber.received.length >= 2, { what: 'both subscribed deliveries' });
      await dispatch.enqueue(migrated('evt-once'));
      await dispatch.enqueue({
        id: 'evt-unsubscribed',
        at: new Date(),
        type: 'signed_in',
        accountId: 'acc-1',
        migrated: true,
      });
      await dispatch.close();
      assert.equal(await dispatch.deliverDue(), 0);
      assert.deepEqual(await store.webhooks.counts(), { pending: 0, delivered: 2, dead: 0 });
      assert.equal(subscriber.received.length, 2);
      const body = JSON.parse(subscriber.received[0]?.body ?? '{}') as { id: string; type: string };
      assert.deepEqual([body.id, body.type], ['evt-once', 'user.migrated']);
      assert.ok(subscriber.received.every((r) => r.eventId === 'evt-once'));
    } finally {
      await close();
    }
  });
});
