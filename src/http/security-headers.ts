import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers as Koa middleware. With these options every header is a constant, so helmet runs once, on a
 * recorder, and each answer gets the recorded headers in one call instead of helmet rebuilding them (its CSP string
 * among them) per request.
 */
function koaHelmet(options: HelmetOptions): Middleware {
  const headers = new Map<string, string>();
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
    removeHeader: (name: string) => removed.push(name),
    getHeader: () => undefined,
  };
  helmet(options)({} as unknown as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw new Error('security headers could not be set', { cause: error });
  });
  return async (ctx, next) => {
    ctx.res.setHeaders(headers);
    for (const name of removed) ctx.res.removeHeader(name);
    await next();
  };
}

/** Helmet's options both header sets share. */
const common = {
  referrerPolicy: { policy: 'no-referrer' as const },
  frameguard: { action: 'deny' as const },
  // Discovery, JWKS and userinfo are fetched by other origins (single-page apps) by design.
  crossOriginResourcePolicy: false,
  crossOriginEmbedderPolicy: false,
  // Headers for Internet Explorer 8, Flash and Adobe Reader, and an XSS auditor no browser has any more.
  xXssProtection: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
};

/**
 * Security headers on every answer (helmet). Pages get a CSP allowing only the IdP's own scripts, styles and
 * images; machine endpoints answering JSON only (`isApi`) get the short set OWASP recommends for REST APIs
 * (`default-src 'none'; frame-ancestors 'none'`, nosniff, DENY, no referrer), which keeps the hot token and userinfo
 * answers small. No framing anywhere (clickjacking a sign-in page is the classic attack), HSTS behind https.
 */
export function securityHeaders(
  https: boolean,
  isApi: (path: string) => boolean,
  /** Other origins the pages show images from: the clients' logos. */
  imageOrigins: readonly string[] = [],
): Middleware {
  const strictTransportSecurity = https ? { maxAge: 15_552_000, includeSubDomains: false } : false;
  const page = koaHelmet({
    ...common,
    strictTransportSecurity,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // oidc-provider adds the hash of its form_post script to this directive itself.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...imageOrigins],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // No form-action: a sign-in form's redirects end at the client's redirect URI, on another origin, and
        // browsers hold those redirects to form-action.
      },
    },
  });
  const api = koaHelmet({
    ...common,
    strictTransportSecurity,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // Only meaningful for documents a browser renders.
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
  });
  return async (ctx, next) => {
    await (isApi(ctx.path) ? api : page)(ctx, next);
  };
}
