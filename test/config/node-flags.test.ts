import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMPILED_ENV, NODE_FLAGS } from '../support/idp-process.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

// The tests and the benchmark start the IdP with NODE_FLAGS (and the compiled build with COMPILED_ENV), so they
// measure what users run only while these agree.
describe('the node flags and environment the IdP runs with', () => {
  it('are the same for `npm start`, `npm run dev`, the Docker image, and the IdP processes of the tests and the bench (NODE_FLAGS, COMPILED_ENV)', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const dockerCmd = /^CMD (.+)$/m.exec(read('Dockerfile'))?.[1] ?? '';
    const imageArgs = JSON.parse(dockerCmd) as string[];
    const flags = NODE_FLAGS.join(' ');
    assert.ok(NODE_FLAGS.length > 0);
    // An operator's own MALLOC_ARENA_MAX wins over npm start's.
    const environment = Object.entries(COMPILED_ENV).map(([name, value]) => `${name}=\${${name}:-${value}} `);
    assert.equal(scripts.start, `${environment.join('')}node ${flags} --enable-source-maps build/main.js`, 'npm start');
    assert.equal(scripts.dev, `tsx ${flags} src/main.ts`, 'npm run dev');
    assert.deepEqual(imageArgs, ['node', ...NODE_FLAGS, '--enable-source-maps', 'build/main.js'], 'the image');
    for (const [name, value] of Object.entries(COMPILED_ENV)) {
      assert.match(read('Dockerfile'), new RegExp(`^ENV ${name}=${value}$`, 'm'), `the image's ${name}`);
    }
  });
});
