import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (never a downloaded one); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The suites' skip option: a machine without the browser says so instead of failing. */
export const browserSkip = existsSync(CHROMIUM) ? false : `skipped: no browser at ${CHROMIUM}`;

/** Chromium headless, quiet: no sandbox (root in CI), no GPU, no background traffic to the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
