#!/usr/bin/env node
// `npm run lint`: ESLint (with type information) and Prettier's check, side by side rather than one after the other.
// Each runs on one core; on a fresh checkout (no caches) the type-aware pass takes most of the time, and the check
// finishes inside it instead of after it. Both always run to the end; the exit code is the first failure's.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const run = (command, args) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const codes = await Promise.all([
  run(bin('eslint'), ['--cache', '--cache-location', 'node_modules/.cache/eslint/', '.']),
  run(bin('prettier'), ['--check', '--cache', '.']),
]);
process.exit(codes.find((code) => code !== 0) ?? 0);
