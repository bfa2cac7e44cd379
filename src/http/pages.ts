import { join } from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
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

/** Renders a view inside the one layout, with what every page shows: the product's name and the request id. */
export function createPageRenderer(options: PageOptions): RenderPage {
  const layouts = {
    card: join(options.viewsDir, 'layout.ejs'),
    console: join(options.viewsDir, 'admin', 'layout.ejs'),
  };
  return async (ctx, page) => {
    const common = {
      productName: options.productName,
      demoMode: options.demoMode,
      requestId: requestIdOf(ctx),
      csrf: options.csrf.token(ctx),
    };
    const body = await ejs.renderFile(
      join(options.viewsDir, `${page.view}.ejs`),
      { ...common, ...page.locals },
      {
        cache: options.cache,
      },
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
      { cache: options.cache },
    );
  };
}

/** Fragments with the same common locals as whole pages (the CSRF token for their forms, above all). */
export function createFragmentRenderer(options: PageOptions): RenderFragment {
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
      { cache: options.cache },
    );
}
