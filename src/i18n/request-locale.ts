import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Next } from 'koa';
import { DEFAULT_LOCALE, type Locale } from './locales.js';
import { negotiateLocale, fromUiLocales, type NegotiatedLocale } from './negotiate.js';
import { translator, type Translator } from './translator.js';

/**
 * The language of one request's answer, negotiated on first use and kept in `ctx.state` (`lang` query parameter,
 * then `Accept-Language`); an interaction step that has loaded its authorization request puts that request's
 * `ui_locales` first (`preferUiLocales`), and so does oidc-provider's own pages.
 */

type LocaleContext = Pick<Context, 'state' | 'query' | 'get'>;

interface LocaleState {
  locale?: NegotiatedLocale;
}

const stateOf = (ctx: Pick<Context, 'state'>) => ctx.state as LocaleState;

export function localeOf(ctx: LocaleContext): NegotiatedLocale {
  const state = stateOf(ctx);
  state.locale ??= negotiateLocale({ lang: ctx.query.lang, acceptLanguage: ctx.get('accept-language') });
  return state.locale;
}

/** The authorization request's `ui_locales`, when one of them is supported, beats everything else. */
export function preferUiLocales(ctx: Pick<Context, 'state'>, uiLocales: unknown): void {
  const locale = fromUiLocales(uiLocales);
  if (locale) stateOf(ctx).locale = { locale, source: 'ui_locales' };
}

/** `t(key, params)` in the request's language. */
export function translatorFor(ctx: LocaleContext): Translator {
  return translator(localeOf(ctx).locale);
}

/**
 * `Content-Language` on a page, and `Vary: Accept-Language` when that header chose it (or could have: the default
 * is what a browser asking for nothing supported gets).
 */
export function setLanguageHeaders(ctx: LocaleContext & Pick<Context, 'set' | 'vary'>): void {
  const { locale, source } = localeOf(ctx);
  ctx.set('content-language', locale);
  if (source === 'accept-language' || source === 'default') ctx.vary('accept-language');
}

/**
 * The `lang` query parameter that keeps a page's language on the next page when it did not come from the browser
 * (a link in a mail, the sign-in's `ui_locales`): `?lang=de`, or '' when the browser's own preference will do.
 */
export function langQuery(ctx: LocaleContext, separator: '?' | '&' = '?'): string {
  const { locale, source } = localeOf(ctx);
  return source === 'ui_locales' || source === 'query' ? `${separator}lang=${locale}` : '';
}

const requests = new AsyncLocalStorage<LocaleContext>();

/**
 * Middleware that lets work done for a request without its context at hand (a mail sent by an event listener: the
 * verification link of a new account) find the request's language with `currentLocale()`.
 */
export function localeScope() {
  return (ctx: Context, next: Next) => requests.run(ctx, next);
}

/** The language of the request being answered (as far as it is decided by now), or English outside one. */
export function currentLocale(): Locale {
  const ctx = requests.getStore();
  return ctx ? localeOf(ctx).locale : DEFAULT_LOCALE;
}
