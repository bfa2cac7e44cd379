import { CATALOGUES, SOURCE_CATALOGUE, type Catalogue, type MessageKey } from './catalogues/index.js';
import type { Locale } from './locales.js';

export type { MessageKey } from './catalogues/index.js';

/** Values for a message's `{name}` placeholders. */
export type Params = Readonly<Record<string, string | number>>;

/** Markup a view hands to `t.html` for one placeholder: inserted as it is, so it is built only by `markup` below. */
export interface Markup {
  readonly markup: string;
}

/** The keys that have plural forms (`<base>.one` and `<base>.other`), by their base. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer Base}.other` ? Base : never) : never;

export interface Translator {
  (key: MessageKey, params?: Params): string;
  readonly locale: Locale;
  /** The form of `<key>.one` / `<key>.other` the locale's plural rules pick for `count`, which is also `{count}`. */
  plural(key: PluralKey, count: number, params?: Params): string;
  /** For views, output with `<%- %>`: the message HTML-escaped, its markup placeholders inserted as they are. */
  html(key: MessageKey, params?: Readonly<Record<string, string | number | Markup>>): string;
  /** A day as the locale writes it ("7 Dec 2026", "07.12.2026"), or with the time (UTC, which the pages say). */
  date(date: Date, withTime?: boolean): string;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** The markup views may pass as a placeholder: each escapes what it wraps. */
export const markup = {
  strong: (text: string): Markup => ({ markup: `<strong>${escapeHtml(text)}</strong>` }),
  code: (text: string, id?: string): Markup => ({
    markup: `<code${id === undefined ? '' : ` id="${escapeHtml(id)}"`}>${escapeHtml(text)}</code>`,
  }),
  link: (href: string, text: string): Markup => ({ markup: `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` }),
};

const PLACEHOLDER = /\{(\w+)\}/g;

/** `{name}` replaced by its value; a placeholder without one stays as it is, visible rather than silently empty. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The text of `key` in `catalogue`, or English's when that catalogue lacks it. */
export function lookUp(catalogue: Catalogue, key: MessageKey): string {
  return catalogue[key] ?? SOURCE_CATALOGUE[key];
}

const translators = new Map<Locale, Translator>();

/** The translator of one locale (made once, shared: it holds no per-request state). */
export function translator(locale: Locale, catalogue: Catalogue = CATALOGUES[locale]): Translator {
  const shared = catalogue === CATALOGUES[locale] ? translators.get(locale) : undefined;
  if (shared) return shared;
  const rules = new Intl.PluralRules(locale);
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dayAndTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const t = (key: MessageKey, params?: Params) => interpolate(lookUp(catalogue, key), params);
  const made: Translator = Object.assign(t, {
    locale,
    plural: (key: PluralKey, count: number, params: Params = {}) =>
      t(`${key}.${rules.select(count) === 'one' ? 'one' : 'other'}` as MessageKey, { ...params, count }),
    html: (key: MessageKey, params: Readonly<Record<string, string | number | Markup>> = {}) =>
      escapeHtml(lookUp(catalogue, key)).replace(PLACEHOLDER, (whole, name: string) => {
        if (!Object.hasOwn(params, name)) return whole;
        const value = params[name];
        return typeof value === 'object' ? value.markup : escapeHtml(String(value));
      }),
    date: (date: Date, withTime = false) => (withTime ? dayAndTime : day).format(date),
  });
  if (catalogue === CATALOGUES[locale]) translators.set(locale, made);
  return made;
}
