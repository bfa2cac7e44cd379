/**
 * A progress line for a terminal (redrawn in place) or a log (a line every few seconds): how many items, the rate,
 * a bar and an ETA when the total is known, then whatever the command adds (imported, rejected …).
 */

export interface Progress {
  done: number;
  total: number | undefined;
  elapsedMs: number;
  /** Further `label count` pairs, in order. */
  counts?: readonly (readonly [label: string, count: number])[];
  /** What `done` counts, when no total is known ("read", "scanned"). */
  noun?: string;
}

export function progressPrinter<T>(stream: NodeJS.WriteStream, describe: (value: T) => Progress): (value: T) => void {
  const interactive = stream.isTTY;
  let last = 0;
  return (value) => {
    const progress = describe(value);
    const nowMs = performance.now();
    const done = progress.total !== undefined && progress.done >= progress.total;
    if (!done && nowMs - last < (interactive ? 200 : 2000)) return;
    last = nowMs;
    stream.write(`${interactive ? '\r\u001b[2K' : ''}${describeProgress(progress)}${interactive && !done ? '' : '\n'}`);
  };
}

export function describeProgress(progress: Progress): string {
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? progress.done / seconds : 0;
  const number = (n: number) => n.toLocaleString('en-US');
  const parts: string[] = [];
  if (progress.total !== undefined && progress.total > 0) {
    const share = Math.min(1, progress.done / progress.total);
    const width = 24;
    const filled = Math.round(share * width);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`);
    parts.push(`${number(progress.done)}/${number(progress.total)}`);
  } else {
    parts.push(`${number(progress.done)} ${progress.noun ?? 'done'}`);
  }
  parts.push(`${number(Math.round(rate))}/s`);
  if (progress.total !== undefined && rate > 0) {
    parts.push(`ETA ${Math.max(0, Math.ceil((progress.total - progress.done) / rate))}s`);
  }
  for (const [label, count] of progress.counts ?? []) parts.push(`${label} ${number(count)}`);
  return parts.join('  ');
}
