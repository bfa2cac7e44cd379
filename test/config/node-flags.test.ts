import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NODE_FLAGS } from '../support/idp-process.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

// The tests and the benchmark start the IdP with NODE_FLAGS, so they measure what users run only while these agree.
describe('the node flags the IdP runs with', () => {
  it('are the same for `npm start`, `npm run dev`, the Docker image, and the IdP processes of the tests and the bench (NODE_FLAGS)', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const dockerCmd = /^CMD (.+)$/m.exec(read('Dockerfile'))?.[1] ?? '';
    const imageArgs = JSON.parse(dockerCmd) as string[];
    const flags = NODE_FLAGS.join(' ');
    assert.ok(NODE_FLAGS.length > 0);
    assert.equal(scripts.start, `node ${flags} --enable-source-maps build/main.js`, 'npm start');
    assert.equal(scripts.dev, `tsx ${flags} src/main.ts`, 'npm run dev');
    assert.deepEqual(imageArgs, ['node', ...NODE_FLAGS, '--enable-source-maps', 'build/main.js'], 'the image');
  });
});
