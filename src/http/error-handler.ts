import type { Context, Next } from 'koa';
import { errors } from 'oidc-provider';
import type { Logger } from '../log/logger.js';
import { RETRY_AFTER_SECONDS, StoreUnavailableError } from '../store/store-unavailable.js';
import { translatorFor } from '../i18n/request-locale.js';
import { translator, type Translator } from '../i18n/translator.js';
import type { RenderPage } from './pages.js';
import { requestIdOf } from './request-context.js';

interface ErrorView {
  status: number;
  code: string;
  heading: string;
  message: string;
}

/**
 * The one place an exception becomes an answer: an HTML error page for browsers (in the request's language), a JSON
 * error for everyone else (in English: programs read it, and its words are a stable part of the API). Protocol
 * errors keep their OAuth code; an unavailable store is a 503 to retry; anything else is a bug, logged in full and
 * shown as a neutral 500.
 */
export function errorHandler(render: RenderPage, logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      // Nothing answered: a styled page (or JSON) rather than Koa's bare "Not Found".
      if (ctx.status === 404 && ctx.body == null) await answer(ctx, notFound);
    } catch (error) {
      const view = (t: Translator) => describe(error, t);
      const status = view(ENGLISH).status;
      // An unavailable store was reported where it failed (guardStore).
      if (status === 503) ctx.set('retry-after', String(RETRY_AFTER_SECONDS));
      else if (status >= 500) {
        logger.error({ err: error, requestId: requestIdOf(ctx), path: ctx.path }, 'unhandled error');
      }
      await answer(ctx, view);
    }
  };

  async function answer(ctx: Context, describeIn: (t: Translator) => ErrorView): Promise<void> {
    if (ctx.accepts('html', 'json') === 'json') {
      const view = describeIn(ENGLISH);
      ctx.status = view.status;
      ctx.body = { error: view.code, error_description: view.message };
      return;
    }
    const view = describeIn(translatorFor(ctx));
    await render(ctx, {
      view: 'error',
      title: view.heading,
      status: view.status,
      locals: { heading: view.heading, message: view.message, code: view.code },
    });
  }
}

const ENGLISH = translator('en');

const notFound = (t: Translator): ErrorView => ({
  status: 404,
  code: 'not_found',
  heading: t('error.notFound.heading'),
  message: t('error.notFound.message'),
});

function describe(error: unknown, t: Translator): ErrorView {
  if (error instanceof StoreUnavailableError) {
    return {
      status: 503,
      code: error.error,
      heading: t('error.unavailable.heading'),
      message: t.locale === 'en' ? error.error_description : t('error.unavailable.message'),
    };
  }
  if (error instanceof errors.SessionNotFound || error instanceof errors.InvalidRequest) {
    // Usually a bookmarked, reloaded or expired sign-in page.
    return {
      status: 400,
      code: error.error,
      heading: t('error.expired.heading'),
      message: t('error.expired.message'),
    };
  }
  if (error instanceof errors.OIDCProviderError && error.expose) {
    // The protocol's own description stays as it is: it is for the application's developers.
    return {
      status: error.statusCode,
      code: error.error,
      heading: t('error.badRequest.heading'),
      message: error.error_description ?? error.message,
    };
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Koa's own client errors, e.g. a form body over the size limit.
    return {
      status,
      code: 'invalid_request',
      heading: t('error.unhandled.heading'),
      message: (error as Error).message,
    };
  }
  return {
    status: 500,
    code: 'server_error',
    heading: t('error.server.heading'),
    message: t('error.server.message'),
  };
}
