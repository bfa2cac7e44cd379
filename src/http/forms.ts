import { bodyParser } from '@koa/bodyparser';

/** URL-encoded forms only, small: the hosted pages post a handful of short fields. */
export const parseForm = bodyParser({ enableTypes: ['form'], formLimit: '16kb', parsedMethods: ['POST'] });

/**
 * One text field of a parsed form. The parser turns `a[]=x` into arrays and `a[b]=x` into objects; a field that is
 * not plain text is treated as absent rather than trusted.
 */
export function formField(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
