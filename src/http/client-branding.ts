import Router from '@koa/router';

/**
 * Per-client branding of the hosted pages: the application's name (`client_name`), its logo (`logo_uri`, standard
 * client metadata, https) and an accent colour (`accent_color`, `#rrggbb`) for buttons and links. The colour comes as
 * a small stylesheet per client, `/assets/brand/<client_id>.css`, because the pages' Content-Security-Policy allows
 * no inline style; the logos' origins are added to its `img-src`. Text on the accent colour is white or near-black,
 * whichever contrasts more (WCAG's relative luminance), so a pale brand colour keeps its buttons readable.
 */

/** Client metadata: the hosted pages' accent colour for this client. */
export const ACCENT_COLOR = 'accent_color';
export const ACCENT_COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;

/** What the pages show of the client the user is signing in to. */
export interface ClientBrand {
  clientId: string;
  name: string;
  logoUri: string | undefined;
  /** Whether `/assets/brand/<client_id>.css` sets an accent colour. */
  hasAccent: boolean;
}

interface BrandedClient {
  client_id: string;
  logo_uri?: string | undefined;
  [ACCENT_COLOR]?: string | undefined;
}

const INK_ON_LIGHT = '#1b1f24';
const INK_ON_DARK = '#ffffff';

/** WCAG 2 relative luminance of an sRGB `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/** The text colour for buttons of the accent colour: the one of white and near-black that contrasts more. */
export function inkFor(accent: string): string {
  const background = luminance(accent);
  return contrast(background, luminance(INK_ON_DARK)) >= contrast(background, luminance(INK_ON_LIGHT))
    ? INK_ON_DARK
    : INK_ON_LIGHT;
}

/** The origins of the clients' logos, for the pages' `img-src`. */
export function logoOrigins(clients: readonly BrandedClient[]): string[] {
  return [...new Set(clients.flatMap((client) => (client.logo_uri ? [new URL(client.logo_uri).origin] : [])))];
}

/** GET /assets/brand/:client.css: the accent colour of each client that has one, built once at start. */
export function brandStyles(clients: readonly BrandedClient[]): Router {
  const styles = new Map<string, string>();
  for (const client of clients) {
    const accent = client[ACCENT_COLOR];
    if (accent && ACCENT_COLOR_PATTERN.test(accent)) {
      styles.set(client.client_id, `:root{--accent:${accent};--accent-ink:${inkFor(accent)}}\n`);
    }
  }
  const router = new Router();
  router.get('/assets/brand/:file', (ctx) => {
    const file = (ctx.params as { file: string }).file;
    const css = file.endsWith('.css') ? styles.get(file.slice(0, -'.css'.length)) : undefined;
    if (css === undefined) {
      ctx.status = 404;
      return;
    }
    ctx.set('cache-control', 'public, max-age=3600');
    ctx.type = 'text/css';
    ctx.body = css;
  });
  return router;
}

/** The brand of a client as oidc-provider holds it (its metadata), for the pages. */
export function brandOf(client: { clientId: string; clientName?: string; logoUri?: string; metadata(): object }) {
  const accent = (client.metadata() as Record<string, unknown>)[ACCENT_COLOR];
  return {
    clientId: client.clientId,
    name: client.clientName ?? client.clientId,
    logoUri: client.logoUri,
    hasAccent: typeof accent === 'string' && ACCENT_COLOR_PATTERN.test(accent),
  } satisfies ClientBrand;
}
