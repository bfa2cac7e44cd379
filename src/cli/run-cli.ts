import { ConfigError } from '../config/load-config.js';

/** A command-line mistake: the usage is printed and the exit code is 64 (EX_USAGE). */
export class UsageError extends Error {}

/**
 * Runs a command's `main` and turns its end into an exit code: a bad configuration is 78 (EX_CONFIG), a usage error
 * 64, anything else 1 with `stopped` and the error's message (and `hint`, when the command can be run again).
 */
export async function runCli(main: () => Promise<number>, stopped: string, hint?: string): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error instanceof UsageError ? 64 : 78;
      return;
    }
    process.stderr.write(`${stopped}: ${error instanceof Error ? error.message : String(error)}\n`);
    if (hint) process.stderr.write(`${hint}\n`);
    process.exitCode = 1;
  }
}
