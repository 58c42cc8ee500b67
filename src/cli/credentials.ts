// Where the command's API key comes from: SWITCHBOARD_URL + SWITCHBOARD_API_KEY, or the file
// `switchboard login` writes in the user's config folder (mode 0600, the folder 0700). A key is only
// ever sent to the address it was given with.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './cli-error.ts';

export interface Credentials {
  url: string;
  apiKey: string;
}

export function credentialsFile(env: NodeJS.ProcessEnv): string {
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(configHome, 'switchboard', 'credentials.json');
}

/** The environment's key and URL, else the saved ones; the environment's URL never gets the saved key. */
export function resolveCredentials(env: NodeJS.ProcessEnv): Credentials {
  const envUrl = env.SWITCHBOARD_URL?.trim();
  const envKey = env.SWITCHBOARD_API_KEY?.trim();
  if (envKey) {
    if (!envUrl) throw new CliError('SWITCHBOARD_API_KEY is set but SWITCHBOARD_URL is not: set both');
    return { url: normalizeUrl(envUrl, 'SWITCHBOARD_URL'), apiKey: envKey };
  }
  const saved = readSaved(env);
  if (!saved)
    throw new CliError(
      'No API key: set SWITCHBOARD_URL and SWITCHBOARD_API_KEY, or run `switchboard login` once',
    );
  if (envUrl && normalizeUrl(envUrl, 'SWITCHBOARD_URL') !== saved.url)
    throw new CliError(
      `The saved key is for ${saved.url}, but SWITCHBOARD_URL is ${envUrl}: set SWITCHBOARD_API_KEY too, or run \`switchboard login\` for that address`,
    );
  return saved;
}

/** Saves the credentials for later runs, readable by the user only; returns the file's path. */
export function saveCredentials(env: NodeJS.ProcessEnv, credentials: Credentials): string {
  const file = credentialsFile(env);
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // The mode above applies only to a new file; an older one may have been readable by others.
  chmodSync(file, 0o600);
  return file;
}

/** An http(s) address without a trailing slash, or a CliError naming where it came from. */
export function normalizeUrl(text: string, source: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`${source} is not an address: "${text}" (e.g. https://switchboard.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`${source} must start with http:// or https://, got "${text}"`);
  return url.href.replace(/\/+$/, '');
}

function readSaved(env: NodeJS.ProcessEnv): Credentials | undefined {
  const file = credentialsFile(env);
  if (!existsSync(file)) return undefined;
  let saved: Partial<Credentials>;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new CliError(`${file} is not valid JSON: run \`switchboard login\` again`);
  }
  if (typeof saved.url !== 'string' || typeof saved.apiKey !== 'string')
    throw new CliError(`${file} lacks url or apiKey: run \`switchboard login\` again`);
  return { url: normalizeUrl(saved.url, file), apiKey: saved.apiKey };
}
