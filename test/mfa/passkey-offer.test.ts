import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IdpEvent } from '../../src/events/event.js';
import { createPasskeyOffer } from '../../src/mfa/passkey-offer.js';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.js';
import type { Store } from '../../src/store/store.js';
import { insertAccount } from '../support/accounts.js';

/**
 * When a passkey is offered at the end of a sign-in, against a real embedded store: every condition that withholds
 * the offer, each on its own. The pages and the ceremony: test/browser/passkey-offer.test.ts.
 */
describe('the passkey offer after a password sign-in', () => {
  let dir: string;
  let store: Store;
  const events: IdpEvent[] = [];
  const record = (event: IdpEvent) => {
    events.push(event);
    return Promise.resolve();
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'passkey-offer-'));
    store = openEmbeddedStore(join(dir, 'idp.sqlite'));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const newAccount = () => insertAccount(store.accounts);
  /** The passkeys as the offer sees them: available or not, and the account's (none, or one). */
  const offer = (options: { enabled?: boolean; available?: boolean; withPasskey?: string } = {}) =>
    createPasskeyOffer({
      enabled: options.enabled ?? true,
      passkeys: {
        available: options.available ?? true,
        list: (accountId) =>
          Promise.resolve(
            accountId === options.withPasskey
              ? [{ id: 'p', label: 'Passkey', createdAt: new Date(), lastUsedAt: undefined }]
              : [],
          ),
      },
      accounts: store.accounts,
      record,
    });
  const READY = { amr: ['pwd'], browserReady: true };

  it('offers one after a password sign-in in a browser that can make it, to an account without one', async () => {
    const account = await newAccount();
    assert.equal((await offer().offerTo(account.id, READY))?.id, account.id);
    assert.equal(
      (await offer().offerTo(account.id, { amr: ['pwd', 'otp', 'mfa'], browserReady: true }))?.id,
      account.id,
    );
  });

  it('offers none when switched off, where passkeys cannot work, or to a browser that cannot make one', async () => {
    const account = await newAccount();
    assert.equal(await offer({ enabled: false }).offerTo(account.id, READY), undefined);
    assert.equal(await offer({ available: false }).offerTo(account.id, READY), undefined);
    assert.equal(await offer().offerTo(account.id, { amr: ['pwd'], browserReady: false }), undefined);
  });

  it('offers none after a sign-in that used a passkey, or to an account that has one', async () => {
    const account = await newAccount();
    assert.equal(await offer().offerTo(account.id, { amr: ['pwd', 'hwk', 'mfa'], browserReady: true }), undefined);
    assert.equal(await offer().offerTo(account.id, { amr: ['swk', 'user', 'mfa'], browserReady: true }), undefined);
    assert.equal(await offer({ withPasskey: account.id }).offerTo(account.id, READY), undefined);
    assert.equal(await offer().offerTo(randomUUID(), READY), undefined, 'no such account');
  });

  it('keeps offering after "later", stops after "declined", and records each answer', async () => {
    const account = await newAccount();
    events.length = 0;
    await offer().answered(account.id, 'later');
    assert.equal((await offer().offerTo(account.id, READY))?.id, account.id);
    const at = new Date(1_800_000_000_000);
    await offer().answered(account.id, 'declined', at);
    assert.equal(await offer().offerTo(account.id, READY), undefined);
    assert.deepEqual((await store.accounts.findById(account.id))?.passkeyOfferDeclinedAt, at);
    assert.deepEqual(events, [
      { type: 'passkey_offer_answered', accountId: account.id, answer: 'later' },
      { type: 'passkey_offer_answered', accountId: account.id, answer: 'declined' },
    ]);
  });
});
