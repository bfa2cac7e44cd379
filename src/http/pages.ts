import { join } from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
import { langQuery, setLanguageHeaders, translatorFor } from '../i18n/request-locale.js';
import { markup, translator } from '../i18n/translator.js';
import type { Csrf } from './csrf.js';
import { requestIdOf } from './request-context.js';

export type RenderPage = (
  ctx: Context,
  page: {
    view: string;
    title: string;
    status?: number;
    locals?: Record<string, unknown>;
    /** `console` for the operators' pages: wide, with their navigation. */
    layout?: 'card' | 'console';
  },
) => Promise<void>;

/** A part of a page (one live region of the console), rendered alone: its HTML. */
export type RenderFragment = (ctx: Context, view: string, locals: Record<string, unknown>) => Promise<string>;

export interface PageOptions {
  viewsDir: string;
  productName: string;
  demoMode: boolean;
  /** Compile each template once; off in development so edits show without a restart. */
  cache: boolean;
  /** Every form on every page carries its token. */
  csrf: Pick<Csrf, 'token'>;
}

/**
 * ejs's options for every render: the compiled template cache, and `root` for the views' includes, which name their
 * partial from the views folder (`include('/partials/field')`). ejs checks a relative include's file on the disk
 * (`existsSync`) at every render, even with the cache on; an absolute one it resolves by name only, so a cached page
 * renders without touching the disk.
 */
function ejsOptions(options: PageOptions): ejs.Options {
  return { cache: options.cache, root: options.viewsDir };
}

/**
 * Renders a view inside the one layout, with what every page shows: the product's name and the request id, and the
 * words of the request's language. Every view gets `t` (src/i18n/translator.ts: `t(key, params)` for text,
 * `t.html(key, params)` for text with markup placeholders, `t.plural(key, count)`), `h` (that markup:
 * `h.strong(text)`, `h.code(text)`, `h.link(href, text)`), `lang` (the page's language) and `langQuery` (`?lang=de`
 * when the language came from the sign-in or a link rather than the browser, for links to pages outside it).
 * The operators' console stays English.
 */
export function createPageRenderer(options: PageOptions): RenderPage {
  const rendering = ejsOptions(options);
  const layouts = {
    card: join(options.viewsDir, 'layout.ejs'),
    console: join(options.viewsDir, 'admin', 'layout.ejs'),
  };
  return async (ctx, page) => {
    const hosted = page.layout !== 'console';
    const t = hosted ? translatorFor(ctx) : translator('en');
    if (hosted) setLanguageHeaders(ctx);
    const common = {
      productName: options.productName,
      demoMode: options.demoMode,
      requestId: requestIdOf(ctx),
      csrf: options.csrf.token(ctx),
      t,
      h: markup,
      lang: t.locale,
      langQuery: hosted ? langQuery(ctx) : '',
    };
    const body = await ejs.renderFile(
      join(options.viewsDir, `${page.view}.ejs`),
      { ...common, ...page.locals },
      rendering,
    );
    ctx.status = page.status ?? 200;
    ctx.type = 'html';
    // Pages can carry form values and error states; never let a shared cache keep them.
    ctx.set('cache-control', 'no-store');
    ctx.body = await ejs.renderFile(
      layouts[page.layout ?? 'card'],
      {
        ...common,
        ...(page.layout === 'console' ? page.locals : {}),
        // The client a sign-in is for (interaction pages): its logo and accent colour in the layout.
        brand: page.locals?.brand,
        title: page.title,
        body,
      },
      rendering,
    );
  };
}

/** Fragments with the same common locals as whole pages (the CSRF token for their forms, above all). */
export function createFragmentRenderer(options: PageOptions): RenderFragment {
  const rendering = ejsOptions(options);
  return (ctx, view, locals) =>
    ejs.renderFile(
      join(options.viewsDir, `${view}.ejs`),
      {
        productName: options.productName,
        demoMode: options.demoMode,
        requestId: requestIdOf(ctx),
        csrf: options.csrf.token(ctx),
        ...locals,
      },
      rendering,
    );
}
