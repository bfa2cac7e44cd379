import { DEFAULT_LOCALE, isLocale, type Locale } from './locales.js';

/**
 * Which language a page is in: the authorization request's `ui_locales` (the application knows its user's
 * language), then a `lang` query parameter (links in mails and between the hosted pages carry it), then the
 * browser's `Accept-Language`, then English.
 */
export type LocaleSource = 'ui_locales' | 'query' | 'accept-language' | 'default';

export interface NegotiatedLocale {
  locale: Locale;
  source: LocaleSource;
}

/** A supported locale for one language tag: `de`, `de-AT` and `DE-ch` are German; undefined when none fits. */
export function localeOfTag(tag: string): Locale | undefined {
  const language = tag.trim().toLowerCase().split(/[-_]/)[0];
  return isLocale(language) ? language : undefined;
}

/** `ui_locales` (OpenID Connect Core 3.1.2.1): space-separated tags in order of preference; the first supported wins. */
export function fromUiLocales(uiLocales: unknown): Locale | undefined {
  if (typeof uiLocales !== 'string') return undefined;
  for (const tag of uiLocales.split(' ')) {
    const locale = localeOfTag(tag);
    if (locale) return locale;
  }
  return undefined;
}

const QUALITY = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

/**
 * `Accept-Language` (RFC 9110 12.5.4): the supported locale the browser prefers most, by q-value and then by order;
 * a range of q=0 is refused, `*` accepts the default. Undefined when it names nothing supported.
 */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const weights = new Map<Locale, number>();
  const refused = new Set<Locale>();
  for (const range of header.split(',').slice(0, 32)) {
    const [tag = '', ...parameters] = range.split(';').map((part) => part.trim());
    let q = 1;
    for (const parameter of parameters) {
      const match = QUALITY.exec(parameter);
      // A malformed weight makes the range worthless rather than first.
      q = match?.[1] === undefined ? 0 : Number(match[1]);
    }
    const locale = tag === '*' ? DEFAULT_LOCALE : localeOfTag(tag);
    if (!locale) continue;
    // "de;q=0" refuses German; "de-AT;q=0" refuses only a variant these pages do not have.
    if (q === 0 && tag.toLowerCase() === locale) refused.add(locale);
    // A language's weight is its best range's (in order of appearance for a tie, as Map keeps insertion order).
    if (q > (weights.get(locale) ?? 0)) weights.set(locale, q);
  }
  let best: { locale: Locale; q: number } | undefined;
  for (const [locale, q] of weights) {
    if (!refused.has(locale) && (!best || q > best.q)) best = { locale, q };
  }
  return best?.locale;
}

export function negotiateLocale(request: {
  uiLocales?: unknown;
  lang?: unknown;
  acceptLanguage?: string | undefined;
}): NegotiatedLocale {
  const fromUi = fromUiLocales(request.uiLocales);
  if (fromUi) return { locale: fromUi, source: 'ui_locales' };
  if (isLocale(request.lang)) return { locale: request.lang, source: 'query' };
  const accepted = fromAcceptLanguage(request.acceptLanguage);
  if (accepted) return { locale: accepted, source: 'accept-language' };
  return { locale: DEFAULT_LOCALE, source: 'default' };
}
