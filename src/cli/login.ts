// `switchboard login`: checks a key with the server, then saves it with the address for later runs.
// The key is read from the terminal (not echoed) or from stdin, never from the command line, where
// other users' process lists and shell history would show it.
import { CliError } from './cli-error.ts';
import { normalizeUrl, saveCredentials } from './credentials.ts';
import type { Output } from './output.ts';
import { Remote } from './remote.ts';
import { ask, readStdin } from './terminal.ts';

export async function login(
  urlOption: string | undefined,
  env: NodeJS.ProcessEnv,
  out: Output,
): Promise<number> {
  const interactive = process.stdin.isTTY === true;
  const urlText = urlOption ?? env.SWITCHBOARD_URL ?? (interactive ? await ask('Switchboard address: ') : '');
  if (!urlText) throw new CliError('Give the address with --url (or SWITCHBOARD_URL)');
  const url = normalizeUrl(urlText, urlOption ? '--url' : 'the address');
  const apiKey = interactive ? await ask('API key (sb_…, not shown): ', { secret: true }) : await readStdin();
  if (!apiKey)
    throw new CliError(
      'No API key given: type it when asked, or pipe it in (printenv SWITCHBOARD_API_KEY | switchboard login)',
    );

  const who = await new Remote(url, apiKey).whoAmI();
  const file = saveCredentials(env, { url, apiKey });
  out.out(
    `Logged in to ${url} with API key "${who.actor}" of organization "${who.orgName}" (${who.role}). Saved in ${file}, readable by you only.`,
  );
  return 0;
}
