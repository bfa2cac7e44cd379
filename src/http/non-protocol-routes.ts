import type Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';

const firstSegment = (path: string) => path.split('/', 2)[1] ?? '';

/**
 * Every route that is not one of oidc-provider's protocol endpoints (hosted pages, console, admin API, assets,
 * health), as one middleware that only runs for the path segments they serve (`/interaction`,
 * `/admin`, ...). Everything else (oidc-provider's endpoints) goes straight on, without being matched against
 * every router first: token, userinfo and discovery requests are the hot path.
 */
export function nonProtocolRoutes(routers: readonly Router[]): Middleware {
  const segments = new Set(
    routers.flatMap((router) =>
      router.stack.map((layer) => (typeof layer.path === 'string' ? firstSegment(layer.path) : '')),
    ),
  );
  // The routers' middleware is typed for a router context, which the routers add themselves when they run.
  const middleware = routers.flatMap((router) => [router.routes(), router.allowedMethods()]) as Middleware[];
  const routes = compose(middleware);
  return (ctx, next) => (segments.has(firstSegment(ctx.path)) ? routes(ctx, next) : next());
}
