import type { Context, Next } from 'koa';
import { errors } from 'oidc-provider';
import type { Logger } from '../log/logger.js';
import { RETRY_AFTER_SECONDS, StoreUnavailableError } from '../store/store-unavailable.js';
import type { RenderPage } from './pages.js';
import { requestIdOf } from './request-context.js';

interface ErrorView {
  status: number;
  code: string;
  heading: string;
  message: string;
}

/**
 * The one place an exception becomes an answer: an HTML error page for browsers, a JSON error for everyone else.
 * Protocol errors keep their OAuth code; an unavailable store is a 503 to retry; anything else is a bug, logged in
 * full and shown as a neutral 500.
 */
export function errorHandler(render: RenderPage, logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      // Nothing answered: a styled page (or JSON) rather than Koa's bare "Not Found".
      if (ctx.status === 404 && ctx.body == null) await answer(ctx, NOT_FOUND);
    } catch (error) {
      const view = describe(error);
      // An unavailable store was reported where it failed (guardStore).
      if (view.status === 503) ctx.set('retry-after', String(RETRY_AFTER_SECONDS));
      else if (view.status >= 500) {
        logger.error({ err: error, requestId: requestIdOf(ctx), path: ctx.path }, 'unhandled error');
      }
      await answer(ctx, view);
    }
  };

  async function answer(ctx: Context, view: ErrorView): Promise<void> {
    if (ctx.accepts('html', 'json') === 'json') {
      ctx.status = view.status;
      ctx.body = { error: view.code, error_description: view.message };
      return;
    }
    await render(ctx, {
      view: 'error',
      title: view.heading,
      status: view.status,
      locals: { heading: view.heading, message: view.message, code: view.code },
    });
  }
}

const NOT_FOUND: ErrorView = {
  status: 404,
  code: 'not_found',
  heading: 'There is no page here',
  message: 'The address may be mistyped, or the page has moved. Go back to the application you came from.',
};

function describe(error: unknown): ErrorView {
  if (error instanceof StoreUnavailableError) {
    return {
      status: 503,
      code: error.error,
      heading: 'Temporarily unavailable',
      message: error.error_description,
    };
  }
  if (error instanceof errors.SessionNotFound || error instanceof errors.InvalidRequest) {
    // Usually a bookmarked, reloaded or expired sign-in page.
    return {
      status: 400,
      code: error.error,
      heading: 'This sign-in page has expired',
      message: 'Go back to the application and start signing in again.',
    };
  }
  if (error instanceof errors.OIDCProviderError && error.expose) {
    return {
      status: error.statusCode,
      code: error.error,
      heading: 'Something is wrong with this request',
      message: error.error_description ?? error.message,
    };
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Koa's own client errors, e.g. a form body over the size limit.
    return {
      status,
      code: 'invalid_request',
      heading: 'This request could not be handled',
      message: (error as Error).message,
    };
  }
  return {
    status: 500,
    code: 'server_error',
    heading: 'Something went wrong',
    message: 'An unexpected error occurred. Please try again; if it keeps happening, contact support.',
  };
}
