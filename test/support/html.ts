/** The text of the page's error alert (`role="alert"`), whitespace collapsed. */
export function alertText(html: string): string {
  const match = /<div class="alert" role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return (match?.[1] ?? '')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The `for`/`id` pairs of labels and inputs; every input of a hosted form must have a label. */
export function unlabelledInputs(html: string): string[] {
  const labelled = new Set([...html.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]));
  const inputs = [...html.matchAll(/<input[^>]*\bid="([^"]+)"[^>]*>/g)].map((m) => m[1] ?? '');
  return inputs.filter((id) => !labelled.has(id));
}
