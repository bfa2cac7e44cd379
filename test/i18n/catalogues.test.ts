import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUES, SOURCE_CATALOGUE, type Catalogue, type MessageKey } from '../../src/i18n/catalogues/index.js';
import { LOCALES } from '../../src/i18n/locales.js';
import { translator } from '../../src/i18n/translator.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
const englishKeys = Object.keys(SOURCE_CATALOGUE).sort();

describe('message catalogues', () => {
  for (const locale of LOCALES) {
    const catalogue: Catalogue = CATALOGUES[locale];

    it(`${locale}: has exactly the English keys`, () => {
      const keys = Object.keys(catalogue).sort();
      assert.deepEqual(
        englishKeys.filter((key) => !keys.includes(key)),
        [],
        'keys missing (they show in English)',
      );
      assert.deepEqual(
        keys.filter((key) => !englishKeys.includes(key)),
        [],
        'keys English does not have',
      );
    });

    it(`${locale}: has the same {placeholders} as English in every message, and no HTML`, () => {
      for (const key of englishKeys as MessageKey[]) {
        const text = catalogue[key];
        if (text === undefined) continue;
        assert.deepEqual(placeholders(text), placeholders(SOURCE_CATALOGUE[key]), key);
        assert.doesNotMatch(text, /<[a-z/!]/i, `${key}: markup goes in the view, through t.html`);
        assert.notEqual(text.trim(), '', key);
      }
    });

    it(`${locale}: has both plural forms wherever one is given`, () => {
      for (const key of Object.keys(catalogue)) {
        const other = key.replace(/\.one$/, '.other');
        const one = key.replace(/\.other$/, '.one');
        if (key.endsWith('.one')) assert.ok(other in catalogue, `${other} missing`);
        if (key.endsWith('.other')) assert.ok(one in catalogue, `${one} missing`);
      }
    });
  }

  it('falls back to English for a key a catalogue lacks, and keeps the placeholders working', () => {
    const partial: Catalogue = { 'signIn.submit': 'Anmelden' };
    const t = translator('de', partial);
    assert.equal(t('signIn.submit'), 'Anmelden');
    assert.equal(t('signIn.error.wrongCredentials'), 'Wrong username or password.');
    assert.equal(t('signIn.lead', { client: 'Demo' }), 'to continue to Demo');
    assert.equal(
      t.plural('security.recovery.left', 1),
      SOURCE_CATALOGUE['security.recovery.left.one'].replace('{count}', '1'),
    );
  });

  it('interpolates, leaves an unknown placeholder visible, and picks plural forms by the locale’s rules', () => {
    const en = translator('en');
    const fr = translator('fr');
    assert.equal(en('signIn.lead', { client: 'Demo' }), 'to continue to Demo');
    assert.equal(en('signIn.lead'), 'to continue to {client}');
    assert.match(en.plural('security.recovery.left', 1), /^1 unused recovery code\./);
    assert.match(en.plural('security.recovery.left', 0), /^0 unused recovery codes\./);
    // French counts 0 as singular.
    assert.match(fr.plural('security.recovery.left', 0), /^0 code de récupération inutilisé\./);
    assert.match(fr.plural('security.recovery.left', 2), /^2 codes de récupération inutilisés\./);
  });

  it('escapes the message and its text values in t.html, inserting only the markup it is given', () => {
    const t = translator('en');
    assert.equal(
      t.html('signIn.lead', { client: '<b>Evil & co</b>' }),
      'to continue to &lt;b&gt;Evil &amp; co&lt;/b&gt;',
    );
    assert.equal(
      t.html('signIn.lead', { client: { markup: '<strong>Demo</strong>' } }),
      'to continue to <strong>Demo</strong>',
    );
    assert.equal(translator('fr').html('signIn.login'), 'Nom d&#39;utilisateur ou e-mail'.replace('&#39;', '’'));
  });
});
