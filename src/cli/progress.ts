import type { ImportProgress } from './run-import.js';

/**
 * A progress line for a terminal (redrawn in place) or a log (a line every few seconds): how many users, the rate,
 * and an ETA when the total is known.
 */
export function progressPrinter(stream: NodeJS.WriteStream): (progress: ImportProgress) => void {
  const interactive = stream.isTTY;
  let last = 0;
  return (progress) => {
    const nowMs = performance.now();
    const done = progress.total !== undefined && progress.read >= progress.total;
    if (!done && nowMs - last < (interactive ? 200 : 2000)) return;
    last = nowMs;
    stream.write(`${interactive ? '\r\u001b[2K' : ''}${describeProgress(progress)}${interactive && !done ? '' : '\n'}`);
  };
}

export function describeProgress(progress: ImportProgress): string {
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? progress.read / seconds : 0;
  const number = (n: number) => n.toLocaleString('en-US');
  const parts: string[] = [];
  if (progress.total !== undefined && progress.total > 0) {
    const share = Math.min(1, progress.read / progress.total);
    const width = 24;
    const filled = Math.round(share * width);
    parts.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`);
    parts.push(`${number(progress.read)}/${number(progress.total)}`);
  } else {
    parts.push(`${number(progress.read)} read`);
  }
  parts.push(`${number(Math.round(rate))}/s`);
  if (progress.total !== undefined && rate > 0) {
    parts.push(`ETA ${Math.max(0, Math.ceil((progress.total - progress.read) / rate))}s`);
  }
  parts.push(
    `imported ${number(progress.imported)}`,
    `skipped ${number(progress.skipped)}`,
    `rejected ${number(progress.rejected)}`,
  );
  return parts.join('  ');
}
