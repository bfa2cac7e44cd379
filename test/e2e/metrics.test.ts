import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { signIn } from '../support/oidc-flow.js';

describe('Prometheus metrics', () => {
  let t: TestIdp;
  const token = 'metrics-scraper-token-0123456789';
  before(async () => {
    t = await startTestIdp({ config: { metrics: { bearerToken: token } } });
  });
  after(() => t.close());

  const scrape = async () => {
    const response = await fetch(`${t.issuer}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    return response.text();
  };
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  it('is not served at all without a token or a port of its own', async () => {
    const closed = await startTestIdp();
    try {
      assert.equal((await fetch(`${closed.issuer}/metrics`)).status, 404);
    } finally {
      await closed.close();
    }
  });

  it('refuses a scrape without the token', async () => {
    assert.equal((await fetch(`${t.issuer}/metrics`)).status, 401);
    assert.equal((await fetch(`${t.issuer}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  });

  it('counts sign-ins and migrations by outcome, and times legacy calls', async () => {
    await signIn(t.issuer, 'alice', 'wonderland');
    await signIn(t.issuer, 'alice', 'wonderland');
    await signIn(t.issuer, 'alice', 'wrong-password');
    await signIn(t.issuer, 'erin', 'no-valid-email');
    const text = await scrape();
    assert.equal(value(text, 'idp_sign_ins_total{outcome="migrated"}'), 1);
    assert.equal(value(text, 'idp_sign_ins_total{outcome="local"}'), 1);
    assert.equal(value(text, 'idp_sign_ins_total{outcome="invalid-credentials"}'), 1);
    assert.equal(value(text, 'idp_sign_ins_total{outcome="migration-rejected"}'), 1);
    assert.equal(value(text, 'idp_migrations_total{outcome="migrated"}'), 1);
    assert.equal(value(text, 'idp_migrations_total{outcome="validation"}'), 1);
    assert.equal(value(text, 'idp_legacy_call_duration_seconds_count{operation="authenticate",outcome="valid"}'), 2);
    assert.equal(value(text, 'idp_legacy_circuit_state'), 0);
    assert.equal(value(text, 'idp_password_hash_queue'), 0);
    assert.ok((value(text, 'idp_process_resident_memory_bytes') ?? 0) > 0);
  });

  it("reports how late the event loop ran, without prom-client's sampling interval (the IdP runs in this process)", async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await scrape(); // starts a window
    await sleep(30); // Node's histogram leaves out the first sample after a reset
    const blockedUntil = performance.now() + 80;
    while (performance.now() < blockedUntil); // the event loop held for 80 ms, as a synchronous call would
    await sleep(50);
    const blocked = await scrape();
    assert.ok((value(blocked, 'idp_event_loop_delay_seconds{quantile="1"}') ?? 0) >= 0.06);

    await sleep(300); // a quiet window: nothing runs late
    const idle = await scrape();
    assert.ok((value(idle, 'idp_event_loop_delay_seconds{quantile="0.99"}') ?? 1) < 0.005);
    // prom-client's figure for the same window holds the 10 ms between its samples.
    assert.ok((value(idle, 'idp_nodejs_eventloop_lag_p99_seconds') ?? 0) >= 0.009);
  });
});
