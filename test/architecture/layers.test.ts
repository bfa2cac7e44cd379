import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/**
 * The direction of dependencies between the top-level folders of src/, read from the import lines themselves, so a
 * new import that points the wrong way fails here rather than in a review. Type-only imports count too: a type from
 * a higher layer ties a lower one to it just the same.
 */

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Folders that may import nothing else of src/, or only what is not listed. */
const FORBIDDEN: readonly { from: string; to: readonly string[] | 'anything'; why: string }[] = [
  { from: 'config', to: 'anything', why: 'the configuration is a leaf: everything reads it, it reads nothing' },
  { from: 'accounts', to: ['legacy', 'migration'], why: 'an account knows nothing of where it came from' },
  { from: 'oidc', to: ['admin'], why: 'the protocol layer is given the console client by the composition root' },
  { from: 'legacy', to: ['migration'], why: 'the legacy system is read by the migration, never the reverse' },
  {
    from: 'passwords',
    to: ['legacy', 'migration', 'admin', 'interaction', 'oidc', 'store', 'http'],
    why: 'passwords and hashes are a leaf service',
  },
  {
    from: 'store',
    to: ['legacy', 'migration', 'admin', 'interaction', 'http', 'oidc'],
    why: 'storage knows its records, not the services or pages that use them',
  },
];

/**
 * Folder edges that close a cycle and are not fixed yet, each with why it is tolerated. Empty is the goal; an entry
 * here must name its way out.
 */
const KNOWN_CYCLE_EDGES: readonly string[] = [];

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder of src/ a file belongs to; a file directly in src/ is its own unit (`app.ts`). */
function unitOf(file: string): string {
  return relative(SRC, file).split(sep)[0] ?? '';
}

interface Edge {
  from: string;
  to: string;
  /** One import that makes the edge, for the failure message. */
  example: string;
}

function folderEdges(): Map<string, Map<string, Edge>> {
  const graph = new Map<string, Map<string, Edge>>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1] ?? '');
      if (!target.startsWith(SRC)) continue;
      const from = unitOf(file);
      const to = unitOf(target);
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, Edge>();
      graph.set(from, edges);
      if (!edges.has(to)) edges.set(to, { from, to, example: `src/${relative(SRC, file)} imports '${match[1]}'` });
    }
  }
  return graph;
}

/**
 * The groups of folders that import each other, round (strongly connected, by Tarjan's algorithm), each with one
 * cycle through it (a → b → … → a): break that one and run again to see the next.
 */
function cycles(
  graph: Map<string, Map<string, Edge>>,
  ignored: ReadonlySet<string>,
): { group: string[]; path: string[] }[] {
  const next = (node: string) =>
    [...(graph.get(node)?.keys() ?? [])].filter((to) => !ignored.has(`${node} -> ${to}`)).sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    for (const to of next(node)) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (stack.includes(to)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);

  // Within a group, the shortest way from its first folder back to itself (breadth first).
  return groups.map((group) => ({ group: [...group].sort(), path: shortestCycle(group) }));

  function shortestCycle(group: string[]): string[] {
    const members = new Set(group);
    const start = [...group].sort()[0] ?? '';
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const node = queue.shift() ?? '';
      for (const to of next(node).filter((n) => members.has(n))) {
        if (to === start) {
          const path = [node];
          while (path[0] !== start) path.unshift(cameFrom.get(path[0] ?? '') ?? start);
          return [...path, start];
        }
        if (!cameFrom.has(to)) {
          cameFrom.set(to, node);
          queue.push(to);
        }
      }
    }
    return group;
  }
}

describe('layers of src/', () => {
  const graph = folderEdges();

  it('sees the imports it judges', () => {
    assert.ok(graph.get('app.ts')?.has('oidc'), 'the composition root should import src/oidc');
  });

  it('has no import cycle between top-level folders', () => {
    const found = cycles(graph, new Set(KNOWN_CYCLE_EDGES));
    const described = found.map(
      ({ group, path }) =>
        `${group.join(', ')} import each other; one cycle: ${path.join(' → ')}:\n    ` +
        path
          .slice(0, -1)
          .map((from, i) => graph.get(from)?.get(path[i + 1] ?? '')?.example ?? `${from} -> ${path[i + 1] ?? ''}`)
          .join('\n    then '),
    );
    assert.deepEqual(described, [], `import cycles between folders of src/:\n  ${described.join('\n  ')}`);
  });

  it('keeps every folder off the folders it must not import', () => {
    const broken = FORBIDDEN.flatMap(({ from, to, why }) =>
      [...(graph.get(from)?.values() ?? [])]
        .filter((edge) => to === 'anything' || to.includes(edge.to))
        .map((edge) => `${from} must not import ${edge.to} (${why}): ${edge.example}`),
    );
    assert.deepEqual(broken, [], `forbidden imports:\n  ${broken.join('\n  ')}`);
  });
});
