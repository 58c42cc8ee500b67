// The `switchboard` command: config as code for an organization's assistants (SPEC section 14).
// Each subcommand declares its options and help here; the work is in its own module.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ApiError } from '../../web/src/api/client.ts';
import { applyPlan } from './apply.ts';
import { CliError } from './cli-error.ts';
import { resolveCredentials } from './credentials.ts';
import { login } from './login.ts';
import type { Output } from './output.ts';
import { makePlan, printPlan } from './plan.ts';
import { pull } from './pull.ts';
import { Remote } from './remote.ts';
import { ask } from './terminal.ts';
import { readAssistantFiles } from './workspace.ts';

/** Exit codes, as SPEC section 14 sets them for plan; every command fails with 1. */
export const EXIT = { ok: 0, failed: 1, changes: 2 } as const;

interface Invocation {
  values: Record<string, string | boolean | undefined>;
  dir: string;
  env: NodeJS.ProcessEnv;
  out: Output;
}

interface Command {
  usage: string;
  summary: string;
  details: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(invocation: Invocation): Promise<number>;
}

const CONNECTION_OPTION = { connection: { type: 'string' } } as const;

const COMMANDS: Record<string, Command> = {
  login: {
    usage: 'switchboard login [--url URL]',
    summary: 'save the server address and an API key for later runs',
    details: `Reads the organization's API key (sb_…) from the terminal without showing it, or from stdin
(printenv KEY | switchboard login --url URL), checks it with the server, and saves both in
$XDG_CONFIG_HOME/switchboard/credentials.json (~/.config/… without it), readable by you only.
SWITCHBOARD_URL and SWITCHBOARD_API_KEY, when set, take precedence over the saved ones.

Options:
  --url URL    the server, e.g. https://switchboard.example.com (default: SWITCHBOARD_URL)`,
    options: { url: { type: 'string' } },
    run: ({ values, env, out }) => login(values.url as string | undefined, env, out),
  },
  pull: {
    usage: 'switchboard pull [DIR] [--force]',
    summary: "write the organization's assistants into DIR as YAML files",
    details: `Writes one <slug>.yaml per assistant into DIR (default: the current folder) and records each
assistant's id, version and ETag in DIR/switchboard.lock.json, under the key's organization.
A file already there is updated in place, keeping its comments. A file edited since the last pull
or apply is not overwritten: pull then writes nothing and exits 1.

Options:
  --force      replace edited files with the server's version`,
    options: { force: { type: 'boolean', default: false } },
    run: async ({ values, dir, env, out }) =>
      pull(Remote.from(resolveCredentials(env)), dir, { force: values.force === true }, out),
  },
  plan: {
    usage: 'switchboard plan [DIR] [--connection ID|NAME] [--prune]',
    summary: 'show what apply would change, sending nothing',
    details: `Compares every <slug>.yaml in DIR with the key's organization and prints, per file, what apply
would create or change. Exit code: 0 nothing would change, 2 something would, 1 an error or a
conflict (an assistant changed on the server since the pull). Colour only on a terminal without
NO_COLOR.

Options:
  --connection ID|NAME  where new assistants would go (default: the organization's default)
  --prune               also show the assistants apply --prune would delete`,
    options: { ...CONNECTION_OPTION, prune: { type: 'boolean', default: false } },
    run: runPlan,
  },
  apply: {
    usage: 'switchboard apply [DIR] [--yes] [--connection ID|NAME] [--prune]',
    summary: "create and update the organization's assistants from DIR's files",
    details: `Prints the plan, asks for confirmation, then creates the assistants that are missing and updates
the changed ones, each only if nobody changed it on the server since the pull (If-Match). An
assistant changed meanwhile is left alone, with who changed it and when; the others are still
applied, and the exit code is 1. The lock records what the server confirmed. With a key of
another organization, apply promotes the files there, matching assistants by slug.
Without a terminal to ask on (CI), apply needs --yes and otherwise sends nothing.

Options:
  --yes                 apply without asking
  --connection ID|NAME  where new assistants go (default: the organization's default connection)
  --prune               delete the assistants whose files are gone (only ones this folder's lock
                        recorded for the organization)`,
    options: {
      ...CONNECTION_OPTION,
      yes: { type: 'boolean', short: 'y', default: false },
      prune: { type: 'boolean', default: false },
    },
    run: runApply,
  },
};

const OVERVIEW = `Usage: switchboard <command> [options]

Config as code for Switchboard: an organization's assistants as YAML files in git.

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(7)}${command.summary}`)
  .join('\n')}

Run switchboard <command> --help for a command's options. The API key comes from
SWITCHBOARD_URL and SWITCHBOARD_API_KEY, or from switchboard login.`;

export async function main(argv: string[], env: NodeJS.ProcessEnv, out: Output): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.out(OVERVIEW);
    return name === undefined ? EXIT.failed : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    out.err(`Unknown command "${name}".\n\n${OVERVIEW}`);
    return EXIT.failed;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      out.out(`Usage: ${command.usage}\n\n${command.details}`);
      return EXIT.ok;
    }
    if (positionals.length > 1)
      throw new CliError(`switchboard ${name} takes one folder, got ${positionals.join(' ')}`);
    return await command.run({ values, dir: positionals[0] ?? '.', env, out });
  } catch (error) {
    out.err(messageOf(error, name));
    return EXIT.failed;
  }
}

async function runPlan({ values, dir, env, out }: Invocation): Promise<number> {
  const files = readAssistantFiles(dir);
  const plan = await makePlan(Remote.from(resolveCredentials(env)), dir, files, planOptions(values));
  const counts = printPlan(plan, out);
  if (counts.conflicts > 0) return EXIT.failed;
  return counts.changes > 0 ? EXIT.changes : EXIT.ok;
}

async function runApply({ values, dir, env, out }: Invocation): Promise<number> {
  const files = readAssistantFiles(dir);
  const remote = Remote.from(resolveCredentials(env));
  const plan = await makePlan(remote, dir, files, planOptions(values));
  const counts = printPlan(plan, out);
  if (counts.changes > 0 && values.yes !== true) await confirm(plan.who.orgName);
  const result = await applyPlan(remote, dir, plan, out);
  if (counts.changes > 0) out.out(`Applied ${result.applied}, failed ${result.failed}.`);
  return result.failed > 0 ? EXIT.failed : EXIT.ok;
}

/** Apply's question; without a terminal to ask on, a refusal: CI passes --yes after its plan. */
async function confirm(orgName: string): Promise<void> {
  if (!process.stdin.isTTY)
    throw new CliError(
      'Nothing was applied: stdin is not a terminal to confirm on. Pass --yes to apply without asking.',
    );
  const answer = await ask(`Apply these changes to organization "${orgName}"? Type yes: `);
  if (answer.toLowerCase() !== 'yes') throw new CliError('Nothing was applied.');
}

function planOptions(values: Invocation['values']) {
  return { prune: values.prune === true, connection: values.connection as string | undefined };
}

function messageOf(error: unknown, command: string): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof ApiError)
    return `Switchboard refused the request (HTTP ${error.status}): ${error.message}`;
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    return `${error.message}\nRun switchboard ${command} --help for its options.`;
  return `switchboard ${command} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
