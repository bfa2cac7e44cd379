import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromAcceptLanguage, fromUiLocales, localeOfTag, negotiateLocale } from '../../src/i18n/negotiate.js';

describe('choosing the language of a page', () => {
  it('takes ui_locales before the lang parameter and Accept-Language', () => {
    assert.deepEqual(negotiateLocale({ uiLocales: 'de', lang: 'fr', acceptLanguage: 'fr, en;q=0.5' }), {
      locale: 'de',
      source: 'ui_locales',
    });
    assert.deepEqual(negotiateLocale({ lang: 'fr', acceptLanguage: 'de' }), { locale: 'fr', source: 'query' });
    assert.deepEqual(negotiateLocale({ acceptLanguage: 'fr' }), { locale: 'fr', source: 'accept-language' });
    assert.deepEqual(negotiateLocale({}), { locale: 'en', source: 'default' });
  });

  it('uses the first supported of several ui_locales, and ignores unsupported ones', () => {
    assert.equal(fromUiLocales('ja es-MX fr-CA de'), 'fr');
    assert.equal(fromUiLocales('ja'), undefined);
    assert.equal(fromUiLocales(undefined), undefined);
    assert.deepEqual(negotiateLocale({ uiLocales: 'ja', acceptLanguage: 'de' }), {
      locale: 'de',
      source: 'accept-language',
    });
    assert.deepEqual(negotiateLocale({ lang: 'xx', acceptLanguage: '' }), { locale: 'en', source: 'default' });
  });

  it('maps regional tags to their language: de-AT and de_CH are German', () => {
    assert.equal(localeOfTag('de-AT'), 'de');
    assert.equal(localeOfTag('DE-ch'), 'de');
    assert.equal(localeOfTag('fr-BE'), 'fr');
    assert.equal(localeOfTag('es'), undefined);
    assert.equal(fromAcceptLanguage('de-AT'), 'de');
  });

  it('weighs Accept-Language by q-values, then by order', () => {
    assert.equal(fromAcceptLanguage('en;q=0.5, fr;q=0.8, de;q=0.7'), 'fr');
    assert.equal(fromAcceptLanguage('es, fr;q=0.4, de;q=0.3'), 'fr');
    assert.equal(fromAcceptLanguage('de-CH, de;q=0.9, fr;q=0.8, en;q=0.7'), 'de');
    assert.equal(fromAcceptLanguage('fr, de'), 'fr');
    assert.equal(fromAcceptLanguage('en-US,en;q=0.9'), 'en');
  });

  it('refuses q=0, treats * as English, and finds nothing in an unsupported or broken header', () => {
    assert.equal(fromAcceptLanguage('de;q=0, fr;q=0.1'), 'fr');
    assert.equal(fromAcceptLanguage('*'), 'en');
    assert.equal(fromAcceptLanguage('es, ja'), undefined);
    assert.equal(fromAcceptLanguage('de;q=banana, fr;q=0.2'), 'fr');
    assert.equal(fromAcceptLanguage(''), undefined);
    assert.equal(fromAcceptLanguage(undefined), undefined);
    assert.deepEqual(negotiateLocale({ acceptLanguage: 'es' }), { locale: 'en', source: 'default' });
  });
});
