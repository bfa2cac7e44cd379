import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { normaliseLogin, type Account } from '../../src/accounts/account.js';
import type { StoredEvent } from '../../src/events/event.js';
import type { AccountPage, AccountSearch, Factor, FactorKind, Store } from '../../src/store/store.js';

/**
 * The behaviour every store must have, run against each back end. A back end that passes this suite can hold the
 * IdP's accounts and their second factors, oidc-provider's artifacts, the event log and the shared secrets.
 */
export function storeContract(name: string, open: (() => Promise<Store>) | { skip: string }): void {
  describe(`store contract: ${name}`, { skip: 'skip' in open ? open.skip : false }, () => {
    let store: Store;
    before(async () => {
      if (!('skip' in open)) store = await open();
    });
    after(() => store.close());

    const account = (overrides: Partial<Account> = {}): Account => {
      const id = randomUUID();
      const at = new Date(Math.floor(Date.now() / 1000) * 1000);
      return {
        id,
        username: `user-${id.slice(0, 8)}`,
        email: `${id.slice(0, 8)}@example.com`,
        emailVerified: false,
        name: undefined,
        givenName: undefined,
        familyName: undefined,
        legacy: undefined,
        roles: ['r1'],
        origin: 'registered',
        password: { kind: 'bcrypt', hash: '$2b$10$abcdefghijklmnopqrstuuC3UUrS1rxvVq0n3p8H2Lk8dJxW0d1pW' },
        createdAt: at,
        updatedAt: at,
        ...overrides,
      };
    };

    describe('accounts', () => {
      it('stores an account and finds it by id, username and email, case-insensitively', async () => {
        const stored = account({
          username: 'Zoë.Example',
          email: 'Zoe.Example@Example.COM',
          name: 'Zoë Example',
          givenName: 'Zoë',
          familyName: 'Example',
          emailVerified: true,
          origin: 'migrated',
          legacy: { source: 'legacy-a', id: `L-${randomUUID()}`, migratedAt: new Date(1_700_000_000_000) },
        });
        assert.deepEqual(await store.accounts.insert(stored), { kind: 'inserted', account: stored });
        assert.deepEqual(await store.accounts.findById(stored.id), stored);
        assert.deepEqual(await store.accounts.findByLogin(normaliseLogin('ZOË.EXAMPLE')), stored);
        assert.deepEqual(await store.accounts.findByLogin(normaliseLogin('zoe.example@example.com')), stored);
        assert.deepEqual(await store.accounts.findByLegacyId('legacy-a', stored.legacy?.id ?? ''), stored);
        assert.equal(await store.accounts.findByLogin('nobody'), undefined);
        assert.equal(await store.accounts.findById(randomUUID()), undefined);
      });

      it('keeps optional fields absent rather than empty', async () => {
        const stored = account({ email: undefined });
        await store.accounts.insert(stored);
        const found = await store.accounts.findById(stored.id);
        assert.ok(found);
        assert.equal(found.email, undefined);
        assert.equal(found.legacy, undefined);
        assert.equal(found.name, undefined);
      });

      it('refuses a second account with the same username, email or legacy id, whatever the case, and stores nothing', async () => {
        const first = account({
          legacy: { source: 'legacy-b', id: 'L-1', migratedAt: new Date() },
          origin: 'migrated',
        });
        await store.accounts.insert(first);
        const cases: [Partial<Account>, string][] = [
          [{ username: first.username.toUpperCase() }, 'username'],
          [{ email: first.email?.toUpperCase() }, 'email'],
          [{ legacy: { source: 'legacy-b', id: 'L-1', migratedAt: new Date() }, origin: 'migrated' }, 'legacyId'],
          [{ id: first.id }, 'id'],
        ];
        for (const [overrides, field] of cases) {
          const clash = account(overrides);
          assert.deepEqual(await store.accounts.insert(clash), { kind: 'conflict', field });
          if (clash.id !== first.id) assert.equal(await store.accounts.findById(clash.id), undefined);
        }
      });

      it('allows many accounts without email and the same legacy id in different sources', async () => {
        for (let i = 0; i < 3; i++)
          assert.equal((await store.accounts.insert(account({ email: undefined }))).kind, 'inserted');
        const legacy = (source: string) => ({ source, id: 'L-shared', migratedAt: new Date() });
        assert.equal((await store.accounts.insert(account({ legacy: legacy('src-1') }))).kind, 'inserted');
        assert.equal((await store.accounts.insert(account({ legacy: legacy('src-2') }))).kind, 'inserted');
      });

      it('changes username and email, keeping uniqueness, and changes nothing on a collision', async () => {
        const first = account();
        const second = account();
        await store.accounts.insert(first);
        await store.accounts.insert(second);
        const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 5000);
        const renamed = await store.accounts.updateLogins(first.id, {
          username: `Renamed-${first.username}`,
          email: `renamed-${first.email ?? ''}`,
          emailVerified: true,
          updatedAt: at,
          ifUpdatedAt: first.updatedAt,
        });
        assert.equal(renamed.kind, 'updated');
        const found = await store.accounts.findByLogin(normaliseLogin(`renamed-${first.username}`));
        assert.deepEqual(found, {
          ...first,
          username: `Renamed-${first.username}`,
          email: `renamed-${first.email ?? ''}`,
          emailVerified: true,
          updatedAt: at,
        });
        assert.equal(
          await store.accounts.findByLogin(normaliseLogin(first.username)),
          undefined,
          'the old name is free',
        );

        const clash = await store.accounts.updateLogins(second.id, {
          email: found.email.toUpperCase(),
          username: 'free-name-x',
          updatedAt: at,
          ifUpdatedAt: second.updatedAt,
        });
        assert.deepEqual(clash, { kind: 'conflict', field: 'email' });
        assert.deepEqual(await store.accounts.findById(second.id), second, 'nothing changed');
        const stale = await store.accounts.updateLogins(first.id, {
          username: 'late-rename',
          updatedAt: at,
          ifUpdatedAt: first.updatedAt,
        });
        assert.deepEqual(stale, { kind: 'stale' }, 'read before the rename: refused');
        assert.equal(await store.accounts.findByLogin('late-rename'), undefined);
        const missing = await store.accounts.updateLogins('no-such-id', {
          username: 'x1',
          updatedAt: at,
          ifUpdatedAt: at,
        });
        assert.deepEqual(missing, { kind: 'not-found' });
      });

      it('keeps every kind of stored password, and replaces one', async () => {
        const legacy = account({
          origin: 'imported',
          password: {
            kind: 'legacy',
            hash: '$6$salt$digest',
            options: { scheme: 'salted-sha256', saltPosition: 'prefix', saltEncoding: 'hex', hashEncoding: 'hex' },
            salt: 'a1b2',
          },
        });
        const none = account({ origin: 'imported', password: { kind: 'none' } });
        await store.accounts.insert(legacy);
        await store.accounts.insert(none);
        assert.deepEqual((await store.accounts.findById(legacy.id))?.password, legacy.password);
        assert.deepEqual((await store.accounts.findById(none.id))?.password, { kind: 'none' });
        const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 9000);
        assert.equal(await store.accounts.updatePassword(legacy.id, { kind: 'bcrypt', hash: '$2b$10$new' }, at), true);
        const updated = await store.accounts.findById(legacy.id);
        assert.deepEqual([updated?.password, updated?.updatedAt], [{ kind: 'bcrypt', hash: '$2b$10$new' }, at]);
        assert.equal(await store.accounts.updatePassword('no-such-id', { kind: 'none' }, at), false);
        assert.equal(
          await store.accounts.updatePassword(legacy.id, { kind: 'none' }, at, '$6$salt$digest'),
          false,
          'not over a hash that has changed since it was read',
        );
        assert.equal(
          await store.accounts.updatePassword(legacy.id, { kind: 'bcrypt', hash: '$2b$10$newer' }, at, '$2b$10$new'),
          true,
        );
      });

      it('inserts a batch, refusing each clash on its own and storing the rest', async () => {
        const existing = account({
          legacy: { source: 'batch-src', id: 'B-0', migratedAt: new Date() },
          origin: 'imported',
        });
        await store.accounts.insert(existing);
        const batch = [
          account({ origin: 'imported', legacy: { source: 'batch-src', id: 'B-1', migratedAt: new Date() } }),
          account({ origin: 'imported', legacy: { source: 'batch-src', id: 'B-0', migratedAt: new Date() } }),
          account({ origin: 'imported', username: existing.username.toUpperCase() }),
          account({ origin: 'imported', legacy: { source: 'batch-src', id: 'B-2', migratedAt: new Date() } }),
        ];
        const results = await store.accounts.insertMany(batch);
        assert.deepEqual(
          results.map((r) => (r.kind === 'conflict' ? r.field : r.kind)),
          ['inserted', 'legacyId', 'username', 'inserted'],
        );
        assert.ok(await store.accounts.findById(batch[3]?.id ?? ''));
        assert.equal(await store.accounts.findById(batch[1]?.id ?? ''), undefined);
        assert.equal(await store.accounts.countFromSource('batch-src'), 3);
        assert.deepEqual(await store.accounts.insertMany([]), []);
      });

      it('answers which of a batch of legacy ids and logins accounts hold, in one call each', async () => {
        const marker = `bat${randomUUID().slice(0, 6)}`;
        const source = `${marker}-src`;
        await store.accounts.insertMany([
          account({
            username: `${marker}-One`,
            email: `${marker}-one@Example.com`,
            legacy: { source, id: 'L-1', migratedAt: new Date() },
          }),
          account({ username: `${marker}-two`, legacy: { source: 'elsewhere', id: 'L-2', migratedAt: new Date() } }),
        ]);
        assert.deepEqual(
          [...(await store.accounts.existingLegacyIds(source, ['L-1', 'L-2', 'L-3', 'L-1']))],
          ['L-1'],
          'per source: L-2 belongs to another source',
        );
        const asked = [`${marker}-one`, `${marker}-two`, `${marker}-one@example.com`, `${marker}-three`, ''];
        assert.deepEqual([...(await store.accounts.takenLogins(asked))].sort(), [
          `${marker}-one`,
          `${marker}-one@example.com`,
          `${marker}-two`,
        ]);
        assert.deepEqual([...(await store.accounts.existingLegacyIds(source, []))], []);
        assert.deepEqual([...(await store.accounts.takenLogins([]))], []);
        // Batches the size of a scan's page.
        const many = Array.from({ length: 5000 }, (_, i) => `${marker}-nobody-${i}`);
        assert.equal((await store.accounts.takenLogins([...many, `${marker}-two`])).size, 1);
        assert.equal((await store.accounts.existingLegacyIds(source, [...many, 'L-1'])).size, 1);
      });

      it('counts accounts by origin and searches them by name prefix, email prefix, id and legacy id', async () => {
        const before = await store.accounts.countByOrigin();
        const marker = `srch${randomUUID().slice(0, 6)}`;
        const found = account({
          username: `${marker}-Findme`,
          email: `${marker}@find.example`,
          origin: 'migrated',
          legacy: { source: 's', id: `${marker}-L`, migratedAt: new Date() },
        });
        await store.accounts.insert(found);
        const after = await store.accounts.countByOrigin();
        assert.equal(after.migrated, before.migrated + 1);
        assert.equal(after.registered, before.registered);
        for (const text of [`${marker}-find`, `${marker.toUpperCase()}@FIND`, found.id, `${marker}-L`]) {
          assert.deepEqual(await store.accounts.search({ text }), { accounts: [found], total: 1 }, text);
        }
        assert.deepEqual(await store.accounts.search({ text: marker, origin: 'registered' }), {
          accounts: [],
          total: 0,
        });
        assert.ok((await store.accounts.search({ limit: 2 })).accounts.length <= 2);
      });

      it('matches logins exactly as normaliseLogin does: every spelling of a name finds it, and none can take it twice (fast-check)', async () => {
        // Pieces that fold together under NFKC and case (full width, ligatures, Kelvin, composed accents) and some that
        // only look alike and must stay apart (Cyrillic а, dotless ı, ß).
        const piece = fc.constantFrom(
          'a',
          'A',
          'ａ',
          'Ａ',
          'а',
          'ß',
          'SS',
          'ss',
          'i',
          'I',
          'İ',
          'ı',
          'K',
          'k',
          'K',
          'ﬁ',
          'fi',
          'é',
          'e\u0301',
          'Å',
          'Å',
          '1',
          '¹',
        );
        const spelling = fc.array(piece, { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join(''));
        await fc.assert(
          fc.asyncProperty(spelling, spelling, async (a, b) => {
            const tag = randomUUID().slice(0, 8);
            const first = account({ username: `${a}-${tag}`, email: `${a}@${tag}.Example.COM` });
            assert.equal((await store.accounts.insert(first)).kind, 'inserted');
            const same = normaliseLogin(a) === normaliseLogin(b);
            for (const login of [`${b}-${tag}`, `${b}@${tag}.example.com`]) {
              assert.equal((await store.accounts.findByLogin(normaliseLogin(login)))?.id, same ? first.id : undefined);
            }
            const second = await store.accounts.insert(account({ username: `${b}-${tag}` }));
            assert.deepEqual(second.kind === 'conflict' ? second.field : second.kind, same ? 'username' : 'inserted');
          }),
          { numRuns: 60 },
        );
      });

      it('lets exactly one of many concurrent inserts of the same user win', async () => {
        const legacy = { source: 'legacy-race', id: `L-${randomUUID()}`, migratedAt: new Date() };
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.accounts.insert(account({ username: `racer-${legacy.id}-${i % 2}`, legacy })),
          ),
        );
        assert.equal(results.filter((r) => r.kind === 'inserted').length, 1);
      });
    });

    describe('account search', () => {
      /** Every page of a search, following `next` (at most 1,000 pages, so a cursor that loops fails the test). */
      const allPages = async (query: AccountSearch): Promise<AccountPage[]> => {
        const pages: AccountPage[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.accounts.search({ ...query, ...(cursor === undefined ? {} : { cursor }) });
          pages.push(page);
          cursor = page.next;
        } while (cursor !== undefined && pages.length < 1000);
        return pages;
      };
      const idsOf = (pages: AccountPage[]) => pages.flatMap((page) => page.accounts.map((a) => a.id));
      /** ASCII as its full-width compatibility form ('Ａ' for 'A'), which NFKC folds back. */
      const fullWidth = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCodePoint(c.charCodeAt(0) + 0xfee0));

      /**
       * One search's cast (`marker` starts every login that should match it, and nothing else's): an exact username,
       * an account whose id is the marker and one whose legacy id is, username prefix matches (one with a matching
       * email too), two email prefix matches, and an account that only looks close.
       */
      const cast = async () => {
        // 'zq' + hex: no other test's logins start so.
        const marker = `zq${randomUUID().slice(0, 8)}`;
        const source = `src-${marker}`;
        const people = {
          exact: account({ username: marker, email: `a.${marker}@example.com`, origin: 'registered' }),
          byId: account({ id: marker, username: `h-${marker}`, email: undefined, origin: 'registered' }),
          byLegacy: account({
            username: `g-${marker}`,
            email: `g.${marker}@example.com`,
            origin: 'migrated',
            legacy: { source, id: marker, migratedAt: new Date(1_700_000_000_000) },
          }),
          prefixC: account({ username: `${marker}-c`, email: `c.${marker}@example.com`, origin: 'migrated' }),
          prefixD: account({ username: `${marker}-d`, email: undefined, origin: 'registered' }),
          // Both its username and its email start with the marker: listed once, with the usernames.
          prefixF: account({ username: `${marker}-F`, email: `${marker}f@example.com`, origin: 'imported' }),
          emailOnly: account({ username: `zz-${marker}`, email: `${marker}e@Mail.example`, origin: 'migrated' }),
          emailFirst: account({ username: `yy-${marker}`, email: `${marker}a@example.com`, origin: 'registered' }),
          near: account({ username: `${marker.slice(0, -1)}-near`, email: `x${marker}@example.com` }),
        };
        for (const person of Object.values(people))
          assert.equal((await store.accounts.insert(person)).kind, 'inserted');
        return { marker, source, ...people };
      };

      it('lists exact matches first (username, email, id, legacy id), then username, then email prefix matches', async () => {
        const c = await cast();
        const expected = [c.exact, c.byId, c.byLegacy, c.prefixC, c.prefixD, c.prefixF, c.emailFirst, c.emailOnly];
        assert.deepEqual(await store.accounts.search({ text: c.marker }), { accounts: expected, total: 8 });
        for (const limit of [1, 2, 3, 7, 8, 500]) {
          const pages = await allPages({ text: c.marker, limit });
          assert.deepEqual(
            idsOf(pages),
            expected.map((a) => a.id),
            `limit ${limit}: every match once, in order, no gap`,
          );
          assert.deepEqual(
            pages.map((page) => [page.accounts.length, page.total]),
            Array.from({ length: Math.ceil(8 / limit) }, (_, i) => [Math.min(limit, 8 - i * limit), 8]),
            `limit ${limit}: full pages, the same total on each, no empty last page`,
          );
        }
        // An exact email outranks prefix matches; an email prefix finds accounts by email alone.
        assert.deepEqual(idsOf(await allPages({ text: `${c.marker}E@MAIL.example` })), [c.emailOnly.id]);
        assert.deepEqual(idsOf(await allPages({ text: `${c.marker}e` })), [c.emailOnly.id]);
        assert.deepEqual(
          idsOf(await allPages({ text: `${c.marker}-` })),
          [c.prefixC, c.prefixD, c.prefixF].map((a) => a.id),
        );
        assert.deepEqual(await store.accounts.search({ text: `${c.marker}-cx` }), { accounts: [], total: 0 });
      });

      it('matches exactly whatever the case, compatibility form or surrounding space, and legacy ids as source:id or alone', async () => {
        const c = await cast();
        // Logins fold; ids and legacy ids are matched as they are written (so the id and legacy id matches go).
        for (const [text, total] of [
          [c.marker.toUpperCase(), 6],
          [fullWidth(c.marker.toUpperCase()), 6],
          [`  ${c.marker}\t`, 8],
        ] as const) {
          const page = await store.accounts.search({ text, limit: 1 });
          assert.deepEqual([page.accounts[0]?.id, page.total], [c.exact.id, total], JSON.stringify(text));
        }
        assert.deepEqual(await store.accounts.search({ text: `${c.source}:${c.marker}` }), {
          accounts: [c.byLegacy],
          total: 1,
        });
        assert.deepEqual(await store.accounts.search({ text: `${c.source}:other` }), { accounts: [], total: 0 });
        assert.deepEqual(await store.accounts.search({ text: c.prefixC.id }), { accounts: [c.prefixC], total: 1 });
        assert.deepEqual(await store.accounts.search({ text: `${c.prefixC.id} ` }), {
          accounts: [c.prefixC],
          total: 1,
        });

        // Legacy ids and sources may hold ':' themselves: every reading of the console's `source:id` is tried.
        const colon = account({
          username: `colon-${c.marker}`,
          email: undefined,
          origin: 'imported',
          legacy: { source: `a:${c.marker}`, id: 'b:c', migratedAt: new Date(1_700_000_000_000) },
        });
        await store.accounts.insert(colon);
        for (const text of [`a:${c.marker}:b:c`, 'b:c'])
          assert.deepEqual(
            idsOf(await allPages({ text })).filter((id) => id === colon.id),
            [colon.id],
            text,
          );
        assert.equal((await store.accounts.search({ text: `a:${c.marker}:b:c` })).accounts[0]?.id, colon.id);
      });

      it('filters every phase by origin, totals included', async () => {
        const c = await cast();
        const migrated = [c.byLegacy, c.prefixC, c.emailOnly];
        assert.deepEqual(await store.accounts.search({ text: c.marker, origin: 'migrated' }), {
          accounts: migrated,
          total: 3,
        });
        const pages = await allPages({ text: c.marker, origin: 'migrated', limit: 1 });
        assert.deepEqual(
          idsOf(pages),
          migrated.map((a) => a.id),
        );
        assert.ok(pages.every((page) => page.total === 3));
        assert.deepEqual(await store.accounts.search({ text: c.marker, origin: 'imported' }), {
          accounts: [c.prefixF],
          total: 1,
        });
        assert.deepEqual(await store.accounts.search({ text: `${c.source}:${c.marker}`, origin: 'registered' }), {
          accounts: [],
          total: 0,
        });
      });

      it('treats a malformed or foreign cursor as the start, never as an error', async () => {
        const c = await cast();
        const first = await store.accounts.search({ text: c.marker, limit: 2 });
        const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        const listingCursor = (await store.accounts.search({ limit: 1 })).next;
        for (const cursor of [
          '',
          'not a cursor',
          '%%%',
          b64(['u']),
          b64({ p: 'u' }),
          b64(['x', 'a', 1]),
          b64(['q', 'z']),
          listingCursor ?? '',
        ]) {
          assert.deepEqual(await store.accounts.search({ text: c.marker, limit: 2, cursor }), first, cursor);
        }
        // A cursor of a text search means nothing to the listing: its first page.
        assert.deepEqual(
          await store.accounts.search({ limit: 3, ...(first.next ? { cursor: first.next } : {}) }),
          await store.accounts.search({ limit: 3 }),
        );
      });

      it('lists every account newest first (created, then id), resumable page after page, with the total', async () => {
        // Created in the future: newer than everything else in this store.
        const at = (year: number) => new Date(Date.UTC(year, 0, 1));
        const newest = account({ createdAt: at(2101), updatedAt: at(2101), origin: 'imported' });
        const twinA = account({ id: `zz-${randomUUID()}`, createdAt: at(2100), updatedAt: at(2100) });
        const twinB = account({
          id: `zy-${randomUUID()}`,
          createdAt: at(2100),
          updatedAt: at(2100),
          origin: 'imported',
        });
        for (const a of [twinB, newest, twinA]) await store.accounts.insert(a);
        const first = await store.accounts.search({ limit: 2 });
        assert.deepEqual(first.accounts, [newest, twinA], 'same instant: the larger id first');
        const second = await store.accounts.search({ limit: 1, ...(first.next ? { cursor: first.next } : {}) });
        assert.deepEqual(second.accounts, [twinB]);

        const counts = await store.accounts.countByOrigin();
        const all = counts.migrated + counts.registered + counts.imported;
        const pages = await allPages({ limit: 37 });
        const listed = pages.flatMap((page) => page.accounts);
        assert.equal(listed.length, all);
        assert.equal(new Set(listed.map((a) => a.id)).size, all, 'every account once');
        assert.ok(pages.every((page) => page.total === all));
        assert.equal(pages.at(-1)?.next, undefined);
        for (let i = 1; i < listed.length; i++) {
          const [a, b] = [listed[i - 1], listed[i]];
          assert.ok(a && b);
          const order = a.createdAt.getTime() - b.createdAt.getTime() || (a.id > b.id ? 1 : -1);
          assert.ok(order > 0, `${a.id} before ${b.id}`);
        }

        const imported = await allPages({ origin: 'imported', limit: 5 });
        assert.deepEqual(imported[0]?.accounts.slice(0, 2), [newest, twinB]);
        assert.equal(idsOf(imported).length, counts.imported);
        assert.ok(imported.every((page) => page.total === counts.imported));
        assert.ok(imported.every((page) => page.accounts.every((a) => a.origin === 'imported')));
      });
    });

    describe("the account's names", () => {
      it('replaces them, removing the absent ones, and leaves everything else as it was', async () => {
        const stored = account({ name: 'Zoë Old', givenName: 'Zoë', familyName: 'Old' });
        await store.accounts.insert(stored);
        const at = new Date(stored.updatedAt.getTime() + 5000);
        const names = { name: 'Zoë Ñew-Name', givenName: 'Zoë', familyName: undefined };
        assert.equal(await store.accounts.updateNames(stored.id, names, at), true);
        const changed = await store.accounts.findById(stored.id);
        assert.deepEqual(changed, { ...stored, ...names, updatedAt: at });
        assert.equal(
          Object.entries(changed).some(([key, value]) => key === 'familyName' && value !== undefined),
          false,
        );
        assert.equal(await store.accounts.updateNames(`no-such-${randomUUID()}`, names, at), false);
      });
    });

    describe('disabling and deleting accounts', () => {
      it('switches sign-in off and on, marking the account only while it is off', async () => {
        const stored = account();
        await store.accounts.insert(stored);
        const at = new Date(stored.updatedAt.getTime() + 7000);
        assert.equal(await store.accounts.setDisabled(stored.id, true, at), true);
        assert.deepEqual(await store.accounts.findById(stored.id), { ...stored, disabled: true, updatedAt: at });
        const later = new Date(at.getTime() + 1000);
        assert.equal(await store.accounts.setDisabled(stored.id, false, later), true);
        const enabled = await store.accounts.findById(stored.id);
        assert.deepEqual(enabled, { ...stored, updatedAt: later });
        assert.equal('disabled' in enabled, false, 'no `disabled: false` key');
        assert.equal(await store.accounts.setDisabled(`no-such-${randomUUID()}`, true, at), false);

        const born = account({ disabled: true });
        await store.accounts.insert(born);
        assert.deepEqual(await store.accounts.findByLogin(normaliseLogin(born.username)), born);
        assert.deepEqual((await store.accounts.search({ text: born.id })).accounts, [born]);
      });

      it('notes a declined passkey offer without touching updatedAt, and keeps it through an insert', async () => {
        const stored = account();
        await store.accounts.insert(stored);
        const before = await store.accounts.findById(stored.id);
        assert.ok(before);
        assert.equal('passkeyOfferDeclinedAt' in before, false, 'no key until declined');
        const at = new Date(stored.updatedAt.getTime() + 5000);
        assert.equal(await store.accounts.declinePasskeyOffer(stored.id, at), true);
        assert.deepEqual(await store.accounts.findById(stored.id), { ...stored, passkeyOfferDeclinedAt: at });
        assert.equal(await store.accounts.declinePasskeyOffer(`no-such-${randomUUID()}`, at), false);

        const declined = account({ passkeyOfferDeclinedAt: at });
        await store.accounts.insert(declined);
        assert.deepEqual(await store.accounts.findByLogin(normaliseLogin(declined.username)), declined);
      });

      it('deletes an account for good, freeing its username, email and legacy id', async () => {
        const legacy = { source: 'legacy-del', id: `L-${randomUUID()}`, migratedAt: new Date(1_700_000_000_000) };
        const doomed = account({ origin: 'migrated', legacy });
        await store.accounts.insert(doomed);
        const before = await store.accounts.countByOrigin();
        assert.equal(await store.accounts.delete(doomed.id), true);
        assert.deepEqual(await store.accounts.countByOrigin(), { ...before, migrated: before.migrated - 1 });
        assert.equal(await store.accounts.findById(doomed.id), undefined);
        assert.equal(await store.accounts.findByLogin(normaliseLogin(doomed.username)), undefined);
        assert.equal(await store.accounts.findByLegacyId(legacy.source, legacy.id), undefined);
        assert.deepEqual(await store.accounts.search({ text: doomed.id }), { accounts: [], total: 0 });
        assert.equal(await store.accounts.delete(doomed.id), false, 'gone already');
        assert.equal(await store.accounts.delete(`no-such-${randomUUID()}`), false);
        assert.deepEqual(await store.accounts.countByOrigin(), { ...before, migrated: before.migrated - 1 });

        const successor = account({ username: doomed.username, email: doomed.email, origin: 'migrated', legacy });
        assert.deepEqual(await store.accounts.insert(successor), { kind: 'inserted', account: successor });
        assert.deepEqual(await store.accounts.findByLegacyId(legacy.source, legacy.id), successor);
      });
    });

    describe('second factors', () => {
      const accountId = () => `acct-${randomUUID()}`;
      const factor = (owner: string, kind: FactorKind, overrides: Partial<Factor> = {}): Factor => ({
        id: randomUUID(),
        accountId: owner,
        kind,
        credentialId: undefined,
        data: { hash: `h-${randomUUID()}` },
        mark: 0,
        label: undefined,
        createdAt: new Date(1_700_000_000_123),
        lastUsedAt: undefined,
        ...overrides,
      });
      const passkey = (owner: string, overrides: Partial<Factor> = {}) =>
        factor(owner, 'passkey', { credentialId: `cred-${randomUUID()}`, ...overrides });
      /** An account's factors in a fixed order (the interface promises none). */
      const listed = async (owner: string) =>
        (await store.factors.listByAccount(owner)).sort((a, b) => a.id.localeCompare(b.id));
      const sorted = (factors: Factor[]) => [...factors].sort((a, b) => a.id.localeCompare(b.id));
      const delta = (before: Record<FactorKind, number>, after: Record<FactorKind, number>) => ({
        totp: after.totp - before.totp,
        'recovery-code': after['recovery-code'] - before['recovery-code'],
        passkey: after.passkey - before.passkey,
      });

      it('stores factors of every kind and lists them by account: data as JSON, dates and optional fields as given', async () => {
        const owner = accountId();
        const totp = factor(owner, 'totp', {
          // Keys MongoDB would not take as field names, nesting, every JSON type: the store keeps data opaque.
          data: { sealed: 'v1.c2VhbGVk', digits: 6, $where: 'x', 'a.b': [1, 'two', null, true, { deep: 1.5 }] },
          label: 'my phone',
          createdAt: new Date(1_700_000_000_001),
        });
        const key = passkey(owner, {
          data: { publicKey: 'pQECAyYgASFYIA', transports: ['usb', 'nfc'] },
          mark: 41,
          label: 'YubiKey',
          lastUsedAt: new Date(1_700_000_500_999),
        });
        // No optional keys at all, as a caller may build it.
        const code: Factor = {
          id: randomUUID(),
          accountId: owner,
          kind: 'recovery-code',
          data: { hash: 'sha256:abc' },
          mark: 0,
          createdAt: new Date(1_700_000_000_002),
        };
        assert.deepEqual(await store.factors.add([totp, key, code]), { kind: 'added' });

        assert.deepEqual(
          await listed(owner),
          sorted([totp, key, { ...code, credentialId: undefined, label: undefined, lastUsedAt: undefined }]),
        );
        const found = (await store.factors.listByAccount(owner)).find((f) => f.id === code.id);
        assert.ok(found);
        assert.equal(found.credentialId, undefined);
        assert.equal(found.label, undefined);
        assert.equal(found.lastUsedAt, undefined);
        assert.deepEqual(await store.factors.listByAccount(accountId()), [], 'another account has none');
        assert.deepEqual(await store.factors.add([]), { kind: 'added' }, 'an empty batch stores nothing');
      });

      it('finds a passkey by its credential id', async () => {
        const owner = accountId();
        const key = passkey(owner);
        await store.factors.add([key, factor(owner, 'totp')]);
        assert.deepEqual(await store.factors.findByCredentialId(key.credentialId ?? ''), key);
        assert.equal(await store.factors.findByCredentialId(`cred-${randomUUID()}`), undefined);
      });

      it('replaces the factors of one kind in the same step as it adds the new ones, and leaves the others', async () => {
        const owner = accountId();
        const other = accountId();
        const oldTotp = factor(owner, 'totp');
        const codes = [factor(owner, 'recovery-code'), factor(owner, 'recovery-code', { mark: 1 })];
        const key = passkey(owner);
        const othersTotp = factor(other, 'totp');
        await store.factors.add([oldTotp, ...codes, key]);
        await store.factors.add([othersTotp]);

        const newTotp = factor(owner, 'totp', { label: 'new phone' });
        assert.deepEqual(await store.factors.add([newTotp], 'totp'), { kind: 'added' });
        assert.deepEqual(await listed(owner), sorted([newTotp, ...codes, key]));

        const newCodes = [factor(owner, 'recovery-code'), factor(owner, 'recovery-code')];
        assert.deepEqual(await store.factors.add(newCodes, 'recovery-code'), { kind: 'added' });
        assert.deepEqual(await listed(owner), sorted([newTotp, ...newCodes, key]), 'used and unused codes went');
        assert.deepEqual(await listed(other), [othersTotp], "another account's factor of that kind stays");

        // A replacement refused (a credential id taken): the factors it would have replaced are still there.
        const refused = [factor(owner, 'totp'), passkey(owner, { credentialId: key.credentialId })];
        assert.deepEqual(await store.factors.add(refused, 'totp'), { kind: 'conflict' });
        assert.deepEqual(await listed(owner), sorted([newTotp, ...newCodes, key]));
      });

      it('refuses a credential id another factor holds, and then stores none of the batch', async () => {
        const first = accountId();
        const key = passkey(first);
        await store.factors.add([key]);

        const second = accountId();
        const batch = [factor(second, 'totp'), factor(second, 'recovery-code'), passkey(second), passkey(second)];
        const clash = passkey(second, { credentialId: key.credentialId });
        assert.deepEqual(await store.factors.add([...batch, clash]), { kind: 'conflict' });
        assert.deepEqual(await store.factors.listByAccount(second), [], 'none of the batch');
        assert.deepEqual(await store.factors.findByCredentialId(key.credentialId ?? ''), key, 'the holder keeps it');
        for (const stored of batch.filter((f) => f.credentialId !== undefined))
          assert.equal(await store.factors.findByCredentialId(stored.credentialId ?? ''), undefined);

        const twice = `cred-${randomUUID()}`;
        const twins = [passkey(second, { credentialId: twice }), passkey(second, { credentialId: twice })];
        assert.deepEqual(await store.factors.add(twins), { kind: 'conflict' }, 'twice in one batch');
        assert.deepEqual(await store.factors.listByAccount(second), []);

        assert.deepEqual(await store.factors.add(batch), { kind: 'added' }, 'without the clash, the batch goes in');
        assert.deepEqual(await listed(second), sorted(batch));
      });

      it('advances a mark only forward, and of concurrent advances to the same mark exactly one wins', async () => {
        const owner = accountId();
        const totp = factor(owner, 'totp');
        const code = factor(owner, 'recovery-code');
        await store.factors.add([totp, code]);
        const at = (ms: number) => new Date(1_700_001_000_000 + ms);
        const stored = async (id: string) => (await store.factors.listByAccount(owner)).find((f) => f.id === id);

        assert.equal(await store.factors.advance(totp.id, 56_000_000, at(1)), true);
        assert.deepEqual(await stored(totp.id), { ...totp, mark: 56_000_000, lastUsedAt: at(1) });
        assert.equal(await store.factors.advance(totp.id, 56_000_000, at(2)), false, 'the same time step again');
        assert.equal(await store.factors.advance(totp.id, 55_999_999, at(3)), false, 'an earlier one');
        assert.deepEqual(await stored(totp.id), { ...totp, mark: 56_000_000, lastUsedAt: at(1) }, 'nothing written');
        assert.equal(await store.factors.advance(`no-such-${randomUUID()}`, 1, at(4)), false);

        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.factors.advance(totp.id, 56_000_001, at(10 + i))),
        );
        assert.equal(results.filter(Boolean).length, 1, 'exactly one of ten concurrent advances');
        assert.equal((await stored(totp.id))?.mark, 56_000_001);

        const uses = await Promise.all(Array.from({ length: 10 }, () => store.factors.advance(code.id, 1, at(30))));
        assert.equal(uses.filter(Boolean).length, 1, 'a recovery code is used once');
        assert.equal(await store.factors.advance(code.id, 1, at(31)), false);
        assert.deepEqual(await stored(code.id), { ...code, mark: 1, lastUsedAt: at(30) });
      });

      it('notes a use without a mark to move', async () => {
        const owner = accountId();
        const key = passkey(owner);
        await store.factors.add([key]);
        const at = new Date(1_700_002_000_456);
        await store.factors.touch(key.id, at);
        assert.deepEqual(await store.factors.findByCredentialId(key.credentialId ?? ''), { ...key, lastUsedAt: at });
        await store.factors.touch(`no-such-${randomUUID()}`, at);
      });

      it("replaces a factor's data, keeping its mark and uses", async () => {
        const owner = accountId();
        const totp = factor(owner, 'totp');
        await store.factors.add([totp]);
        const at = new Date(1_700_003_000_000);
        assert.equal(await store.factors.advance(totp.id, 42, at), true);
        assert.equal(await store.factors.replaceData(totp.id, { secret: 'sealed anew' }), true);
        const [stored] = await store.factors.listByAccount(owner);
        assert.deepEqual(stored, { ...totp, data: { secret: 'sealed anew' }, mark: 42, lastUsedAt: at });
        assert.equal(await store.factors.replaceData(`no-such-${randomUUID()}`, {}), false);
      });

      it("removes some or all of an account's factors, counting them, and never another account's", async () => {
        const owner = accountId();
        const other = accountId();
        const mine = [factor(owner, 'totp'), factor(owner, 'recovery-code'), passkey(owner)];
        const theirs = factor(other, 'totp');
        await store.factors.add(mine);
        await store.factors.add([theirs]);
        const [first, ...rest] = mine;
        assert.ok(first);

        assert.equal(await store.factors.remove(owner, [first.id, theirs.id, `no-such-${randomUUID()}`]), 1);
        assert.deepEqual(await listed(owner), sorted(rest));
        assert.equal(await store.factors.remove(owner, []), 0, 'no ids: none, not all');
        assert.deepEqual(await listed(owner), sorted(rest));
        assert.equal(await store.factors.remove(owner), 2);
        assert.deepEqual(await store.factors.listByAccount(owner), []);
        assert.equal(await store.factors.remove(owner), 0);
        assert.deepEqual(await store.factors.listByAccount(other), [theirs], "the other account's is untouched");
      });

      it('counts the accounts that have each kind: each once, and a recovery code only while unused', async () => {
        const before = await store.factors.countAccountsByKind();
        const full = accountId();
        const usedOnly = accountId();
        const mixed = accountId();
        const keys = accountId();
        const lastCode = factor(mixed, 'recovery-code');
        await store.factors.add([
          factor(full, 'totp'),
          factor(full, 'recovery-code'),
          factor(full, 'recovery-code'),
          passkey(full),
        ]);
        await store.factors.add([factor(usedOnly, 'recovery-code', { mark: 1 })]);
        await store.factors.add([factor(mixed, 'recovery-code', { mark: 1 }), lastCode]);
        await store.factors.add([passkey(keys), passkey(keys, { mark: 3 })]);
        assert.deepEqual(delta(before, await store.factors.countAccountsByKind()), {
          totp: 1,
          'recovery-code': 2,
          passkey: 2,
        });

        assert.equal(await store.factors.advance(lastCode.id, 1, new Date()), true);
        assert.deepEqual(delta(before, await store.factors.countAccountsByKind()), {
          totp: 1,
          'recovery-code': 1,
          passkey: 2,
        });
        await store.factors.remove(full);
        assert.deepEqual(delta(before, await store.factors.countAccountsByKind()), {
          totp: 0,
          'recovery-code': 0,
          passkey: 1,
        });
      });

      it("removes an account's factors when the account is deleted, freeing its credential ids", async () => {
        const doomed = account();
        const survivor = account();
        await store.accounts.insert(doomed);
        await store.accounts.insert(survivor);
        const key = passkey(doomed.id);
        await store.factors.add([factor(doomed.id, 'totp'), factor(doomed.id, 'recovery-code'), key]);
        const kept = [factor(survivor.id, 'totp'), passkey(survivor.id)];
        await store.factors.add(kept);

        assert.equal(await store.accounts.delete(doomed.id), true);
        assert.deepEqual(await store.factors.listByAccount(doomed.id), []);
        assert.equal(await store.factors.findByCredentialId(key.credentialId ?? ''), undefined);
        assert.deepEqual(await listed(survivor.id), sorted(kept));
        const successor = passkey(survivor.id, { credentialId: key.credentialId });
        assert.deepEqual(await store.factors.add([successor]), { kind: 'added' }, 'the credential id is free');
      });
    });

    describe('oidc-provider artifacts', () => {
      it('upserts, finds and destroys by model and id', async () => {
        const id = randomUUID();
        await store.artifacts.upsert('Session', id, { uid: `uid-${id}`, accountId: 'a1' }, 60);
        assert.deepEqual(await store.artifacts.find('Session', id), { uid: `uid-${id}`, accountId: 'a1' });
        assert.equal(await store.artifacts.find('AccessToken', id), undefined, 'models are separate');
        await store.artifacts.upsert('Session', id, { uid: `uid-${id}`, accountId: 'a2' }, 60);
        assert.equal((await store.artifacts.find('Session', id))?.accountId, 'a2');
        assert.deepEqual(await store.artifacts.findByUid('Session', `uid-${id}`), {
          uid: `uid-${id}`,
          accountId: 'a2',
        });
        await store.artifacts.destroy('Session', id);
        assert.equal(await store.artifacts.find('Session', id), undefined);
      });

      it('never returns an expired artifact', async () => {
        const id = randomUUID();
        await store.artifacts.upsert('AuthorizationCode', id, { grantId: 'g' }, 1);
        assert.ok(await store.artifacts.find('AuthorizationCode', id));
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal(await store.artifacts.find('AuthorizationCode', id), undefined);
      });

      it('marks an artifact consumed', async () => {
        const id = randomUUID();
        await store.artifacts.upsert('AuthorizationCode', id, { grantId: 'g' }, 60);
        await store.artifacts.consume('AuthorizationCode', id);
        const found = await store.artifacts.find('AuthorizationCode', id);
        assert.equal(typeof found?.consumed, 'number');
      });

      it('hands a single-use artifact to exactly one of many concurrent takers', async () => {
        const id = randomUUID();
        await store.artifacts.upsert('PasswordReset', id, { accountId: 'a1' }, 60);
        const taken = await Promise.all(Array.from({ length: 10 }, () => store.artifacts.take('PasswordReset', id)));
        assert.deepEqual(taken.filter(Boolean), [{ accountId: 'a1' }]);
        assert.equal(await store.artifacts.take('PasswordReset', id), undefined);
        const expired = randomUUID();
        await store.artifacts.upsert('PasswordReset', expired, { accountId: 'a2' }, 1);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal(
          await store.artifacts.take('PasswordReset', expired),
          undefined,
          'an expired one is never handed out',
        );
      });

      it('finds by user code, and revokes every artifact of a grant across models', async () => {
        const grantId = randomUUID();
        await store.artifacts.upsert('DeviceCode', 'd1', { grantId, userCode: `UC-${grantId}` }, 60);
        await store.artifacts.upsert('AccessToken', `at-${grantId}`, { grantId }, 60);
        await store.artifacts.upsert('RefreshToken', `rt-${grantId}`, { grantId }, 60);
        await store.artifacts.upsert('RefreshToken', `other-${grantId}`, { grantId: 'another' }, 60);
        assert.equal((await store.artifacts.findByUserCode('DeviceCode', `UC-${grantId}`))?.grantId, grantId);
        await store.artifacts.revokeByGrantId(grantId);
        assert.equal(await store.artifacts.find('AccessToken', `at-${grantId}`), undefined);
        assert.equal(await store.artifacts.find('RefreshToken', `rt-${grantId}`), undefined);
        assert.equal(await store.artifacts.find('DeviceCode', 'd1'), undefined);
        assert.ok(await store.artifacts.find('RefreshToken', `other-${grantId}`));
      });

      it("finds an account's live artifacts of a model, and revokes all of them across models", async () => {
        const [mine, theirs] = [randomUUID(), randomUUID()];
        const tag = randomUUID();
        await store.artifacts.upsert('Session', `s-${tag}`, { accountId: mine, uid: `u-${tag}` }, 60);
        await store.artifacts.upsert('Grant', `g1-${tag}`, { accountId: mine, n: 1 }, 60);
        await store.artifacts.upsert('Grant', `g2-${tag}`, { accountId: mine, n: 2 }, undefined);
        await store.artifacts.upsert('Grant', `g3-${tag}`, { accountId: mine, n: 3 }, -60);
        await store.artifacts.upsert('Grant', `g4-${tag}`, { accountId: theirs, n: 4 }, 60);
        await store.artifacts.upsert('AccessToken', `at-${tag}`, { accountId: mine, grantId: `g1-${tag}` }, 60);
        await store.artifacts.upsert('Interaction', `i-${tag}`, { uid: tag }, 60);
        const grants = async (accountId: string) =>
          (await store.artifacts.findByAccount('Grant', accountId)).map((p) => p.n).sort();
        assert.deepEqual(await grants(mine), [1, 2], 'live ones only, of this model and account');
        assert.deepEqual(await store.artifacts.findByAccount('Session', mine), [{ accountId: mine, uid: `u-${tag}` }]);
        assert.deepEqual(await store.artifacts.findByAccount('Grant', randomUUID()), []);

        // Moved to another account by an upsert: found under that one only.
        await store.artifacts.upsert('Grant', `g2-${tag}`, { accountId: theirs, n: 2 }, 60);
        assert.deepEqual(await grants(mine), [1]);
        assert.deepEqual(await grants(theirs), [2, 4]);

        await store.artifacts.revokeByAccount(mine);
        for (const [model, id] of [
          ['Session', `s-${tag}`],
          ['Grant', `g1-${tag}`],
          ['AccessToken', `at-${tag}`],
        ] as const)
          assert.equal(await store.artifacts.find(model, id), undefined, `${model} ${id}`);
        assert.deepEqual(await grants(mine), []);
        assert.deepEqual(await grants(theirs), [2, 4], "another account's are kept");
        assert.ok(await store.artifacts.find('Interaction', `i-${tag}`), 'artifacts of no account are kept');
      });

      it('keeps payload keys that look like URLs or paths intact', async () => {
        const payload = { resources: { 'https://api.example.com/v1': 'read write' }, 'a.b': { $weird: 1 } };
        await store.artifacts.upsert('Grant', 'g-urls', payload, 60);
        assert.deepEqual(await store.artifacts.find('Grant', 'g-urls'), payload);
      });
    });

    describe('events', () => {
      it('appends events and lists them newest first, filtered by type and account', async () => {
        const accountId = randomUUID();
        await store.events.append({ type: 'registered', accountId });
        await store.events.append({ type: 'signed_in', accountId, migrated: false });
        await store.events.append({ type: 'migration_failed', login: 'x', reason: 'validation', fields: ['email'] });
        const mine = await store.events.list({ accountId });
        assert.deepEqual(
          mine.map((e) => e.type),
          ['signed_in', 'registered'],
        );
        assert.ok(mine.every((e) => e.at instanceof Date && typeof e.id === 'string'));
        const both = await store.events.list({ accountId, types: ['registered', 'migrated'] });
        assert.deepEqual(
          both.map((e) => e.type),
          ['registered'],
        );
        assert.deepEqual(await store.events.list({ accountId, since: new Date(Date.now() + 60_000) }), []);
        assert.equal((await store.events.list({ accountId, since: new Date(Date.now() - 60_000) })).length, 2);
        const [failure] = await store.events.list({ type: 'migration_failed', limit: 1 });
        assert.deepEqual(failure?.type === 'migration_failed' && failure.fields, ['email']);
      });

      it('lists the events of the accounts whose id starts with the short id the console shows', async () => {
        const accountId = randomUUID();
        const neighbour = `${accountId.slice(0, 8)}-0000-4000-8000-000000000000`;
        await store.events.append({ type: 'registered', accountId });
        await store.events.append({ type: 'registered', accountId: neighbour });
        await store.events.append({ type: 'registered', accountId: randomUUID() });
        const short = await store.events.list({ accountIdPrefix: accountId.slice(0, 8) });
        const ids = (events: StoredEvent[]) => events.map((e) => ('accountId' in e ? e.accountId : undefined));
        assert.deepEqual(ids(short).sort(), [accountId, neighbour].sort());
        assert.deepEqual(ids(await store.events.list({ accountIdPrefix: accountId })), [accountId]);
      });
    });

    describe('erasure', () => {
      it("removes the logins from an erased account's events and leaves the rest of the log as it was", async () => {
        const accountId = randomUUID();
        const other = randomUUID();
        const legacy = { source: 'legacy-a', id: `L-${randomUUID()}` };
        await store.events.append({ type: 'migrated', accountId, login: 'Erased.User', legacy });
        await store.events.append({ type: 'signed_in', accountId, migrated: true });
        await store.events.append({ type: 'migrated', accountId: other, login: 'kept.user', legacy });
        await store.events.append({ type: 'migration_failed', login: 'someone', reason: 'validation' });

        assert.equal(await store.events.eraseAccount(accountId), 1, 'one event carried a login');
        const mine = await store.events.list({ accountId });
        assert.deepEqual(
          mine.map((e) => e.type),
          ['signed_in', 'migrated'],
        );
        const [migrated] = mine.filter((e) => e.type === 'migrated');
        assert.equal(migrated !== undefined && 'login' in migrated, false, 'the login is gone');
        assert.deepEqual(migrated?.type === 'migrated' && migrated.legacy, legacy, 'the rest stays');
        const [kept] = await store.events.list({ accountId: other });
        assert.equal(kept?.type === 'migrated' && kept.login, 'kept.user');
        assert.equal(await store.events.eraseAccount(accountId), 0, 'nothing left to erase');
      });
    });

    describe('tombstones', () => {
      it('stores marks once, finds a batch of them, and lifts one', async () => {
        const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
        const before = await store.tombstones.count();
        await store.tombstones.add(a, new Date());
        await store.tombstones.add(a, new Date());
        await store.tombstones.add(b, new Date());
        assert.equal(await store.tombstones.count(), before + 2);
        assert.deepEqual([...(await store.tombstones.existing([a, b, c]))].sort(), [a, b].sort());
        assert.deepEqual(await store.tombstones.existing([]), new Set());
        assert.equal(await store.tombstones.remove(a), true);
        assert.equal(await store.tombstones.remove(a), false);
        assert.deepEqual([...(await store.tombstones.existing([a, b, c]))], [b]);
        assert.equal(await store.tombstones.count(), before + 1);
      });
    });

    describe('secrets', () => {
      it('creates a secret once and returns the same value to every caller, even concurrent ones', async () => {
        const name = `secret-${randomUUID()}`;
        let created = 0;
        const values = await Promise.all(
          Array.from({ length: 5 }, () => store.secrets.getOrCreate(name, () => ({ n: ++created }))),
        );
        assert.ok(values.every((v) => v.n === values[0]?.n));
        assert.deepEqual(await store.secrets.getOrCreate(name, () => ({ n: -1 })), values[0]);
      });

      it('finds a secret without creating it, and removes it for good', async () => {
        const name = `secret-${randomUUID()}`;
        assert.equal(await store.secrets.find(name), undefined);
        assert.equal(await store.secrets.find(name), undefined, 'finding created nothing');
        await store.secrets.getOrCreate(name, () => ['kept']);
        assert.deepEqual(await store.secrets.find(name), ['kept']);
        await store.secrets.remove(name);
        assert.equal(await store.secrets.find(name), undefined);
        await store.secrets.remove(name);
        assert.deepEqual(await store.secrets.getOrCreate(name, () => ['new']), ['new'], 'a new value after removal');
        await store.secrets.put(name, ['replaced']);
        assert.deepEqual(await store.secrets.find(name), ['replaced']);
        await store.secrets.put(`${name}-put`, 'first');
        assert.equal(await store.secrets.getOrCreate(`${name}-put`, () => 'other'), 'first', 'put also creates');
      });
    });

    describe('webhook deliveries', () => {
      it('enqueues once per webhook and event, leases due deliveries to one claimer, retries and gives up', async () => {
        const eventId = randomUUID();
        const webhook = `hook-${randomUUID().slice(0, 8)}`;
        await store.webhooks.enqueue([{ webhook, eventId, payload: '{"a":1}' }]);
        await store.webhooks.enqueue([{ webhook, eventId, payload: '{"a":1}' }]);
        const claims = await Promise.all([store.webhooks.claimDue(50, 60_000), store.webhooks.claimDue(50, 60_000)]);
        const mine = claims.flat().filter((d) => d.webhook === webhook);
        assert.equal(mine.length, 1, 'one delivery, claimed once');
        const delivery = mine[0];
        assert.ok(delivery);
        assert.deepEqual([delivery.eventId, delivery.payload, delivery.attempts], [eventId, '{"a":1}', 0]);
        assert.equal(
          (await store.webhooks.claimDue(50, 60_000)).filter((d) => d.webhook === webhook).length,
          0,
          'leased',
        );

        await store.webhooks.failed(delivery.id, 'status 500', new Date(Date.now() - 1));
        const again = (await store.webhooks.claimDue(50, 60_000)).find((d) => d.id === delivery.id);
        assert.equal(again?.attempts, 1, 'due again after a failure, with the attempt counted');
        await store.webhooks.failed(delivery.id, 'status 500', 'dead');
        assert.equal(
          (await store.webhooks.claimDue(50, 0)).find((d) => d.id === delivery.id),
          undefined,
          'never after giving up',
        );

        const other = randomUUID();
        await store.webhooks.enqueue([{ webhook, eventId: other, payload: '{}' }]);
        const [fresh] = (await store.webhooks.claimDue(50, 60_000)).filter((d) => d.eventId === other);
        assert.ok(fresh);
        await store.webhooks.delivered(fresh.id);
        const counts = await store.webhooks.counts();
        assert.ok(counts.delivered >= 1 && counts.dead >= 1);
      });
    });

    describe('rate-limit counters', () => {
      it('counts hits per key and window, sees the window before, and counts concurrent hits exactly', async () => {
        const key = `rule:${randomUUID()}`;
        const windowMs = 60_000;
        const start = Math.floor(Date.now() / windowMs) * windowMs;
        assert.deepEqual(await store.counters.peek(key, start, windowMs), { current: 0, previous: 0 });
        await Promise.all(Array.from({ length: 25 }, () => store.counters.hit(key, start - windowMs, windowMs)));
        const hits = await Promise.all(Array.from({ length: 10 }, () => store.counters.hit(key, start, windowMs)));
        assert.deepEqual(
          hits.map((h) => h.current).sort((a, b) => a - b),
          Array.from({ length: 10 }, (_, i) => i + 1),
          'every concurrent hit sees its own count',
        );
        assert.ok(hits.every((h) => h.previous === 25));
        assert.deepEqual(await store.counters.peek(key, start, windowMs), { current: 10, previous: 25 });
        assert.deepEqual(await store.counters.peek(`${key}-other`, start, windowMs), { current: 0, previous: 0 });
        await store.counters.hit(`${key}-other`, start, windowMs);
        await store.counters.clear(key);
        assert.deepEqual(await store.counters.peek(key, start, windowMs), { current: 0, previous: 0 }, 'cleared');
        assert.deepEqual(await store.counters.peek(`${key}-other`, start, windowMs), { current: 1, previous: 0 });
      });
    });

    describe('leases', () => {
      it('gives a name to one holder at a time, even when many ask at once, and lets it go', async () => {
        const name = `lease-${randomUUID()}`;
        const holders = Array.from({ length: 12 }, (_, i) => `holder-${i}`);
        const taken = await Promise.all(holders.map((holder) => store.leases.acquire(name, holder, 60_000)));
        assert.equal(taken.filter(Boolean).length, 1, 'exactly one of twelve concurrent holders');
        const winner = holders[taken.indexOf(true)] ?? assert.fail();
        assert.equal(await store.leases.acquire(name, 'late', 60_000), false);
        await store.leases.release(name, 'not-the-holder');
        assert.equal(await store.leases.acquire(name, 'late', 60_000), false, 'only its holder releases it');
        await store.leases.release(name, winner);
        assert.equal(await store.leases.acquire(name, 'late', 60_000), true);
        assert.equal(await store.leases.acquire(`${name}-other`, 'late', 60_000), true, 'names are independent');
      });

      it('keeps a lease its holder renews, and lets another take one whose holder let it expire', async () => {
        const renewed = `lease-${randomUUID()}`;
        // Leases of 600 ms renewed every 250 ms: a loaded machine has 350 ms of slack per step, and the three steps
        // outlast the first lease, so only the renewals can be keeping it.
        assert.equal(await store.leases.acquire(renewed, 'alive', 600), true);
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          assert.equal(await store.leases.renew(renewed, 'alive', 600), true);
        }
        assert.equal(await store.leases.acquire(renewed, 'other', 60_000), false, 'renewed past its first expiry');
        assert.equal(await store.leases.renew(renewed, 'other', 600), false, 'only its holder renews it');

        const name = `lease-${randomUUID()}`;
        assert.equal(await store.leases.acquire(name, 'gone', 500), true);
        assert.equal(await store.leases.acquire(name, 'next', 60_000), false);
        await new Promise((resolve) => setTimeout(resolve, 600));
        assert.equal(await store.leases.acquire(name, 'next', 60_000), true);
        await store.leases.release(name, 'gone');
        assert.equal(await store.leases.acquire(name, 'third', 60_000), false, "the dead holder's release is void");
        assert.equal(await store.leases.renew(name, 'gone', 60_000), false, 'and so is its renewal');
      });
    });

    describe('settings', () => {
      it('stores, replaces and reads shared settings', async () => {
        const name = `setting-${randomUUID()}`;
        assert.equal(await store.settings.get(name), undefined);
        await store.settings.set(name, { on: true, at: 'x.y' });
        await store.settings.set(name, { on: false, at: 'x.y' });
        assert.deepEqual(await store.settings.get(name), { on: false, at: 'x.y' });
      });
    });

    it('answers a ping', async () => {
      assert.equal(await store.ping(), true);
    });
  });
}
