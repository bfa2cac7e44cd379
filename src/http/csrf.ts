import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { formField } from './forms.js';

/**
 * CSRF protection for every form of the IdP's own pages: a random value in a SameSite=Strict, HttpOnly cookie, and
 * its HMAC in a hidden field. A page from another site can make the browser send the cookie (at most), never read
 * the field. The HMAC also covers the session the form was issued to (oidc-provider's session cookie, or before a
 * sign-in its interaction cookie), so a token is good for that session only: one planted in the browser before a
 * sign-in, or taken from another session, does not work in this one. (oidc-provider's logout form has its own.)
 */
export interface Csrf {
  /** The hidden field's value for this browser; sets the cookie when it has none. */
  token(ctx: Context): string;
  /** Refuses a form post without the right field (after the form parser). */
  check: (ctx: Context, next: Next) => Promise<void>;
}

const COOKIE = 'idp_csrf';
/** oidc-provider's cookies that name the browser's session, and before a sign-in its interaction (by precedence). */
const SESSION_COOKIES = ['_session', '_interaction'] as const;

export function createCsrf(secret: string, refuse: (ctx: Context) => Promise<void>): Csrf {
  const sessionOf = (ctx: Context) => {
    for (const name of SESSION_COOKIES) {
      const value = ctx.cookies.get(name);
      if (value) return `${name}=${value}`;
    }
    return '';
  };
  const sign = (ctx: Context, value: string) =>
    createHmac('sha256', secret).update(value).update('\n').update(sessionOf(ctx)).digest('base64url');
  return {
    token(ctx) {
      let value = ctx.cookies.get(COOKIE);
      if (!value || !/^[\w-]{22,64}$/.test(value)) {
        value = randomBytes(24).toString('base64url');
        ctx.cookies.set(COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: ctx.secure, overwrite: true });
      }
      return sign(ctx, value);
    },
    async check(ctx, next) {
      const value = ctx.cookies.get(COOKIE);
      const presented = Buffer.from(formField(ctx.request.body, 'csrf'));
      const expected = value ? Buffer.from(sign(ctx, value)) : undefined;
      if (!expected || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        await refuse(ctx);
        return;
      }
      await next();
    },
  };
}
