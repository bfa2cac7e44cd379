import { ConfigError } from '../config/load-config.js';

/** A command-line mistake: the usage is printed and the exit code is 64 (EX_USAGE). */
export class UsageError extends Error {}

/**
 * Runs a command's `main` and turns its end into an exit code: a bad configuration is 78 (EX_CONFIG), a usage error
 * 64, anything else 1 with `stopped` and the error's message (and `hint`, when it has one for that error).
 */
export async function runCli(
  main: () => Promise<number>,
  stopped: string,
  hint: (error: unknown) => string | undefined = () => undefined,
): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error instanceof UsageError ? 64 : 78;
      return;
    }
    process.stderr.write(`${stopped}: ${error instanceof Error ? error.message : String(error)}\n`);
    const advice = hint(error);
    if (advice) process.stderr.write(`${advice}\n`);
    process.exitCode = 1;
  }
}
