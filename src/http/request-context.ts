import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../log/logger.js';

const INCOMING_ID = /^[\w.-]{1,64}$/;

export function requestIdOf(ctx: Pick<Context, 'state'>): string | undefined {
  const id = (ctx.state as { requestId?: unknown }).requestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Gives every request an id (a proxy's `x-request-id` when well-formed), echoes it, and logs one line per request.
 * Only the path is logged: query strings and bodies can carry codes, tokens and passwords.
 */
export function requestLogging(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    (ctx.state as { requestId?: string }).requestId = requestId;
    ctx.set('x-request-id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.info(
        {
          requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    }
  };
}
