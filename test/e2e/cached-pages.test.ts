import assert from 'node:assert/strict';
import fs from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestIdp, type TestIdp } from '../support/harness.js';
import { beginAuthorization, signIn } from '../support/oidc-flow.js';

const VIEWS = new URL('../../views/', import.meta.url);

/** The synchronous file calls a template engine could make, counted while `work` runs. */
async function syncFileCallsDuring(work: () => Promise<void>): Promise<string[]> {
  const calls: string[] = [];
  const names = ['existsSync', 'statSync', 'lstatSync', 'readFileSync', 'openSync', 'accessSync'] as const;
  const originals = names.map((name) => [name, fs[name]] as const);
  for (const [name, original] of originals) {
    // node:fs's default export is the module object ejs (CommonJS) calls through, so a replacement here is seen there.
    Object.assign(fs, {
      [name]: (...args: unknown[]) => {
        calls.push(`${name}(${String(args[0])})`);
        return (original as (...a: unknown[]) => unknown)(...args);
      },
    });
  }
  try {
    await work();
  } finally {
    for (const [name, original] of originals) Object.assign(fs, { [name]: original });
  }
  return calls;
}

describe('hosted pages with the template cache on, as npm start runs them', () => {
  let t: TestIdp;
  before(async () => {
    t = await startTestIdp({ cacheViews: true });
  });
  after(() => t.close());

  it('renders the sign-in page and signs in without a synchronous file call once the templates are compiled', async () => {
    await signIn(t.issuer, 'alice', 'wonderland'); // compiles the sign-in page, its partials and the layout
    const calls = await syncFileCallsDuring(async () => {
      const started = await beginAuthorization(t.issuer);
      assert.equal(started.page.status, 200);
      assert.match(await started.page.text(), /name="password"/);
      const signedIn = await signIn(t.issuer, 'alice', 'wonderland');
      assert.ok(signedIn.tokens?.id_token, 'the sign-in completed');
    });
    assert.deepEqual(calls, []);
  });

  it('names every partial from the views folder (a relative include is looked up on the disk at each render)', () => {
    const relative: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ejs'))
          for (const [include] of fs.readFileSync(path, 'utf8').matchAll(/include\(\s*['"`][^/][^'"`]*/g))
            relative.push(`${path}: ${include}`);
      }
    };
    walk(VIEWS.pathname);
    assert.deepEqual(relative, []);
  });
});
