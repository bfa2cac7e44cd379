import { extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** TypeScript, which tsx compiles as it loads. */
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

// From source (`npm run dev`, tests) tsx already loads TypeScript. The compiled build (`npm start`, the Docker
// image) registers tsx only once an operator's module needs it, so it does not carry tsx's loader otherwise.
const RUNNING_FROM_SOURCE = TYPESCRIPT.has(extname(fileURLToPath(import.meta.url)));
let tsxRegistered: Promise<void> | undefined;

/**
 * Loads a module the configuration names (a profile transform, a `"kind": "module"` legacy connector), relative to
 * the working directory. JavaScript (`.js`, `.mjs`, `.cjs`) loads as it is; TypeScript (`.ts`, `.mts`, `.cts`)
 * through tsx.
 */
export async function importOperatorModule(path: string): Promise<unknown> {
  const file = resolve(path);
  if (!RUNNING_FROM_SOURCE && TYPESCRIPT.has(extname(file))) {
    // Both of tsx's loaders, as `--import tsx` would: outside a `"type": "module"` package a .ts file is CommonJS.
    tsxRegistered ??= Promise.all([import('tsx/cjs/api'), import('tsx/esm/api')]).then(([cjs, esm]) => {
      cjs.register();
      esm.register();
    });
    await tsxRegistered;
  }
  return import(pathToFileURL(file).href);
}
