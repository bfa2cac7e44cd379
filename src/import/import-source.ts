import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { LegacyConnector, LegacyUserRecord } from '../legacy/connector.js';
import { recordFromListing } from '../legacy/listing.js';

/**
 * Where a bulk import reads legacy users from: a JSON Lines or CSV file, or the legacy connector's enumeration.
 * Every source hands out pages, each with the point to resume from once the page is stored.
 */

/** One user to import, or the reason a line could not even be read. `ref` names it in the report. */
export type ImportItem = { ref: string; record: LegacyUserRecord } | { ref: string; problem: string };

export interface ImportPage {
  items: ImportItem[];
  resumeFrom: string;
}

export interface ImportSource {
  /** Identifies the source in a checkpoint, so a checkpoint is never applied to a different one. */
  readonly signature: string;
  /** How many users there are, when the source can tell cheaply. */
  total(): Promise<number | undefined>;
  pages(resumeFrom: string | undefined, signal: AbortSignal): AsyncIterable<ImportPage>;
}

export type FileFormat = 'jsonl' | 'csv';

export function formatOf(path: string): FileFormat | undefined {
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  if (/\.csv$/i.test(path)) return 'csv';
  return undefined;
}

/** A file, one user per JSON line or CSV row; the resume point is the number of users already read. */
export function fileSource(path: string, format: FileFormat, pageSize: number): ImportSource {
  return {
    signature: `file:${format}:${path}`,
    total: () => countRecords(path, format),
    async *pages(resumeFrom) {
      const skip = Number(resumeFrom ?? 0);
      let position = 0;
      let items: ImportItem[] = [];
      for await (const item of format === 'jsonl' ? jsonLines(path) : csvRows(path)) {
        position++;
        if (position <= skip) continue;
        items.push(item);
        if (items.length >= pageSize) {
          yield { items, resumeFrom: String(position) };
          items = [];
        }
      }
      if (items.length > 0) yield { items, resumeFrom: String(position) };
    },
  };
}

/** The legacy connector's own enumeration (HTTP listing, SQL listing query, LDAP paged search, module). */
export function connectorSource(connector: Pick<LegacyConnector, 'source' | 'enumerateUsers'>): ImportSource {
  const enumerate = connector.enumerateUsers?.bind(connector);
  if (!enumerate)
    throw new Error(
      `the ${connector.source} connector cannot enumerate its users (see docs/operating-the-migration.md, "Bulk import of the stragglers")`,
    );
  return {
    signature: `legacy:${connector.source}`,
    total: () => Promise.resolve(undefined),
    async *pages(resumeFrom, signal) {
      let counted = 0;
      for await (const page of enumerate(resumeFrom, signal)) {
        yield {
          items: page.records.map((record) => ({ ref: `#${String(++counted)}`, record })),
          resumeFrom: page.resumeFrom,
        };
      }
    },
  };
}

async function* jsonLines(path: string): AsyncIterable<ImportItem> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    const ref = `line ${String(number)}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      yield { ref, problem: 'not valid JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { ref, problem: 'not a JSON object' };
      continue;
    }
    yield { ref, record: recordFromListing(value as Record<string, unknown>, 'disabled') };
  }
}

async function* csvRows(path: string): AsyncIterable<ImportItem> {
  // Header row names the fields; empty cells are absent values, so the mapping's defaults apply. The parser loads
  // here, not when the serving IdP starts (which imports this module for the console's import jobs).
  const { parse } = await import('csv-parse');
  const parser = createReadStream(path).pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }),
  );
  let number = 1;
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    number++;
    const user = Object.fromEntries(Object.entries(row).filter(([, value]) => value !== ''));
    yield { ref: `row ${String(number)}`, record: recordFromListing(user, 'disabled') };
  }
}

async function countRecords(path: string, format: FileFormat): Promise<number | undefined> {
  // Counting a large file costs a read of it; beyond 1 GiB the progress bar does without a total.
  if ((await stat(path)).size > 1024 ** 3) return undefined;
  let count = 0;
  if (format === 'jsonl') {
    for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
      if (line.trim() !== '') count++;
    }
    return count;
  }
  for await (const item of csvRows(path)) if (item.ref) count++;
  return count;
}
