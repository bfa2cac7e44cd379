import { createHash } from 'node:crypto';

/**
 * PHP's own string handling, which WordPress and Drupal apply to a password before hashing or checking it: what
 * those systems accepted depends on it.
 */

const PHP_BLANKS = new Set([' ', '\t', '\n', '\r', '\0', '\x0B']);

/** PHP's trim() without a character list: space, tab, newline, carriage return, NUL and vertical tab, no others. */
export function phpTrim(text: string): string {
  // Scanned rather than matched with a regular expression: `[…]+$` backtracks quadratically on long inner blanks.
  let start = 0;
  let end = text.length;
  while (start < end && PHP_BLANKS.has(text.charAt(start))) start++;
  while (end > start && PHP_BLANKS.has(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

/** PHP's md5(): lowercase hex of the UTF-8 bytes. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
