// For the server's start and the operator's commands: a problem the operator must fix is one line
// on stderr and exit code 1, never a stack trace.
import { type Config, ConfigError, loadConfig } from './config.ts';

export function exitWith(message: string): never {
  console.error(message);
  process.exit(1);
}

/** The configuration, or one line per bad setting and exit code 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return exitWith(error.problems.map((problem) => `Configuration error: ${problem}`).join('\n'));
  }
}
