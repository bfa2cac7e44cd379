import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIGURATION_DOC, renderConfigurationReference } from '../../scripts/gen-config-docs.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the configuration reference (docs/configuration.md)', () => {
  const reference = renderConfigurationReference();

  it('is what the schema generates now', async () => {
    const { markdown } = await reference;
    const written = existsSync(CONFIGURATION_DOC) ? readFileSync(CONFIGURATION_DOC, 'utf8') : '';
    assert.ok(
      written === markdown,
      'docs/configuration.md is out of date with src/config/schema.ts: run `npm run docs:config`',
    );
  });

  it('describes every field', async () => {
    const { undescribed } = await reference;
    assert.deepEqual(undescribed, [], 'add a .describe() to each of these fields, then run `npm run docs:config`');
  });
});

describe('the documentation’s relative links', () => {
  const documents = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];

  for (const document of documents) {
    it(`${document} links only to files and headings that exist`, () => {
      const broken = relativeLinks(readFileSync(join(ROOT, document), 'utf8')).filter(({ path, fragment }) => {
        const target = path === '' ? join(ROOT, document) : resolve(ROOT, dirname(document), path);
        if (!existsSync(target)) return true;
        if (fragment === undefined || !target.endsWith('.md')) return false;
        return !headingSlugs(readFileSync(target, 'utf8')).has(fragment);
      });
      assert.deepEqual(broken, [], `${document} links to missing files or headings`);
    });
  }
});

/** `[text](target)` and `![alt](target)` outside code, minus URLs, split into the file and the `#fragment`. */
function relativeLinks(markdown: string): { path: string; fragment: string | undefined }[] {
  return [...withoutCode(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => {
      const [path = '', fragment] = target.split('#');
      return { path: decodeURI(path), fragment };
    });
}

/** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingSlugs(markdown: string): Set<string> {
  const headings = [...withoutCode(markdown, { keepInline: true }).matchAll(/^#{1,6}\s+(.+)$/gm)];
  return new Set(
    headings.map((heading) =>
      (heading[1] ?? '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .trim()
        .replace(/\s/g, '-'),
    ),
  );
}

function withoutCode(markdown: string, options: { keepInline?: boolean } = {}): string {
  const blocks = markdown.replace(/```[\s\S]*?```/g, '');
  return options.keepInline === true ? blocks : blocks.replace(/`[^`\n]*`/g, '');
}
