import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { closeServer, listen } from '../../src/server.js';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { eventually } from '../support/eventually.js';
import { discover, signIn } from '../support/oidc-flow.js';

const SECRET = 'webhook-signing-secret-0123456789';

/** What a subscriber does with our signature header, written from docs/operating-the-migration.md's description. */
function verify(header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', SECRET)
    .update(`${parts.t ?? ''}.${body}`)
    .digest('hex');
  return (
    (parts.v1 ?? '').length === expected.length && timingSafeEqual(Buffer.from(parts.v1 ?? ''), Buffer.from(expected))
  );
}

describe('webhooks', () => {
  const received: { eventId: string; body: string; valid: boolean }[] = [];
  let answer: 'ok' | 'error' | 'hang' = 'error';
  const receiver = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        eventId: String(req.headers['x-idp-event-id']),
        body,
        valid: verify(String(req.headers['x-idp-signature']), body),
      });
      if (answer === 'hang') return;
      res.writeHead(answer === 'ok' ? 204 : 500).end();
    });
  });
  let t: TestIdp;
  before(async () => {
    const port = await listen(receiver, 0, '127.0.0.1');
    t = await startTestIdp({
      config: {
        webhooks: [
          {
            id: 'crm',
            url: `http://127.0.0.1:${port}/hooks`,
            secret: SECRET,
            events: ['user.migrated', 'user.registered', 'user.deleted'],
            initialDelayMs: 50,
            maxAttempts: 4,
            timeoutMs: 300,
          },
        ],
      },
    });
  });
  after(async () => {
    await t.close();
    await closeServer(receiver, 10);
  });

  it('sends a signed user.migrated, retrying with the same idempotency key until it is accepted', async () => {
    answer = 'error';
    assert.equal((await signIn(t.issuer, 'alice', 'wonderland')).status, 303);
    await eventually(() => received.length >= 2, { what: 'two failed attempts' });
    answer = 'ok';
    await eventually(() => received.length >= 3, { what: 'the accepted attempt' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(received.length, 3, 'nothing more once accepted');
    assert.equal(new Set(received.map((r) => r.eventId)).size, 1, 'the same event id on every attempt');
    assert.ok(
      received.every((r) => r.valid),
      'every body verifies against the signature',
    );
    const body = JSON.parse(received[0]?.body ?? '{}') as {
      id: string;
      type: string;
      data: { legacy: { id: string } };
    };
    assert.equal(body.type, 'user.migrated');
    assert.equal(body.id, received[0]?.eventId);
    assert.equal(body.data.legacy.id, 'L-1001');
    assert.ok(!received[0]?.body.includes('wonderland'));
    assert.deepEqual(await t.idp.store.webhooks.counts(), { pending: 0, delivered: 1, dead: 0 });
  });

  it('never makes a sign-in wait for a subscriber that hangs, and gives up after the last attempt', async () => {
    answer = 'hang';
    received.length = 0;
    assert.equal((await signIn(t.issuer, 'bob', 'can-we-fix-it')).status, 303);
    // By state, not by a stopwatch: the subscriber never answers, so a sign-in that waited for the delivery could
    // only return once it had been given up (four attempts, 1.2 s of timeouts and the backoff between them).
    assert.deepEqual(
      await t.idp.store.webhooks.counts(),
      { pending: 1, delivered: 1, dead: 0 },
      'the sign-in returned while its delivery was still being tried',
    );
    await eventually(() => received.length >= 4, { what: 'four attempts' });
    await eventually(async () => (await t.idp.store.webhooks.counts()).dead === 1, { what: 'the delivery given up' });
    assert.deepEqual(await t.idp.store.webhooks.counts(), { pending: 0, delivered: 1, dead: 1 });
    answer = 'ok';
  });

  it('only sends the events subscribed to', async () => {
    received.length = 0;
    await signIn(t.issuer, 'erin', 'no-valid-email');
    await signIn(t.issuer, 'alice', 'wonderland');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(received, [], 'migration.failed and signed_in are not subscribed');
  });

  it('sends user.deleted when an operator deletes an account', async () => {
    received.length = 0;
    const bob = await t.idp.store.accounts.findByLogin('bob');
    assert.ok(bob);
    const robot = await discover(t.issuer, 'opsBot');
    const api = `${t.issuer}/admin/api`;
    const { access_token } = await oidc.clientCredentialsGrant(robot, { scope: 'admin', resource: api });
    const deleted = await fetch(`${api}/accounts/${bob.id}/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'delete' }),
    });
    assert.equal(deleted.status, 200);
    await eventually(() => received.length >= 1, { what: 'the user.deleted delivery' });
    const body = JSON.parse(received[0]?.body ?? '{}') as { type: string; data: Record<string, unknown> };
    assert.equal(body.type, 'user.deleted');
    assert.equal(body.data.accountId, bob.id);
    assert.equal(body.data.by, 'operator');
    assert.equal('username' in body.data, false, 'erasure: the deleted account is named by its id alone');
    assert.ok(received[0]?.valid);
  });
});
