import koaHelmet from 'koa-helmet';

/**
 * Security headers on every answer (helmet): a CSP allowing only the IdP's own scripts, styles and images, no
 * framing anywhere (clickjacking a sign-in page is the classic attack), no referrer, HSTS behind https.
 */
export function securityHeaders(https: boolean) {
  return koaHelmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // oidc-provider adds the hash of its form_post script to this directive itself.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        // No form-action: a sign-in form's redirects end at the client's redirect URI, on another origin, and
        // browsers hold those redirects to form-action.
      },
    },
    strictTransportSecurity: https ? { maxAge: 15_552_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // Discovery, JWKS and userinfo are fetched by other origins (single-page apps) by design.
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
  });
}
