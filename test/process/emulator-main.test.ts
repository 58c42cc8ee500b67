// `npm run emulator` and `npm run emulator:retell` (src/providers/*/emulator/main.ts) as their own
// processes: EMULATOR_PORT and EMULATOR_API_KEY, the provider's official SDK against it, 401 for any
// other key, a bad port refused in one line, and a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { VapiError, VapiClient as VapiSdk } from '@vapi-ai/server-sdk';
import Retell, { APIError as RetellError } from 'retell-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/config/paths.ts';
import { closedPort } from '../helpers/ports.ts';
import { stopStartedProcesses, tracked } from '../helpers/server-process.ts';

const KEY = 'standalone-emulator-key';

afterEach(() => stopStartedProcesses());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One provider's standalone emulator and what its official SDK does against it. */
interface Standalone {
  script: string;
  label: string;
  /** Creates, reads and lists one assistant with the SDK; returns a path that needs the key. */
  exercise(url: string): Promise<string>;
  /** The status a call with another key fails with. */
  refused(url: string, key: string): Promise<number | undefined>;
}

const VAPI: Standalone = {
  script: 'emulator',
  label: 'Vapi',
  async exercise(url) {
    const sdk = new VapiSdk({ token: KEY, baseUrl: url, maxRetries: 0 });
    const created = await sdk.assistants.create({ name: 'Standalone' } as never);
    expect(created).toMatchObject({ name: 'Standalone', id: expect.any(String) });
    expect(await sdk.assistants.get({ id: created.id })).toEqual(created);
    expect((await sdk.assistants.list({ limit: 10 })).map((a) => a.id)).toEqual([created.id]);
    return `/assistant/${created.id}`;
  },
  async refused(url, key) {
    const stranger = new VapiSdk({ token: key, baseUrl: url, maxRetries: 0 });
    const error = await stranger.assistants.list({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VapiError);
    return (error as VapiError).statusCode;
  },
};

const RETELL: Standalone = {
  script: 'emulator:retell',
  label: 'Retell',
  async exercise(url) {
    const sdk = new Retell({ apiKey: KEY, baseURL: url, maxRetries: 0 });
    const llm = await sdk.llm.create({ general_prompt: 'Standalone' });
    const agent = await sdk.agent.create({
      agent_name: 'Standalone',
      voice_id: 'retell-Cimo',
      response_engine: { type: 'retell-llm', llm_id: llm.llm_id },
    });
    expect(await sdk.agent.retrieve(agent.agent_id)).toEqual(agent);
    expect((await sdk.agent.list()).items.map((a) => a.agent_id)).toEqual([agent.agent_id]);
    expect(await sdk.identity.retrieve()).toMatchObject({ org_name: expect.any(String) });
    return `/get-agent/${agent.agent_id}`;
  },
  async refused(url, key) {
    const stranger = new Retell({ apiKey: key, baseURL: url, maxRetries: 0 });
    const error = await stranger.agent.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetellError);
    return (error as RetellError).status;
  },
};

/** Runs the emulator as `npm run <script>` does, with these settings. */
function startEmulator(emulator: Standalone, env: Record<string, string>) {
  const script = manifestScript(emulator.script).replace(/^tsx /, '');
  const child = tracked(
    spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: projectPath(),
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function manifestScript(name: string): string {
  const scripts = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')).scripts;
  return scripts[name];
}

async function listening(label: string, emulator: ReturnType<typeof startEmulator>): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const url = new RegExp(`${label} emulator listening on (http://\\S+)`).exec(emulator.output())?.[1];
    if (url) return url;
    if (emulator.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the emulator did not start:\n${emulator.output()}`);
}

describe.each([VAPI, RETELL])('npm run $script', (provider) => {
  it('listens on EMULATOR_PORT with EMULATOR_API_KEY, answers the SDK, refuses other keys, stops on SIGTERM', async () => {
    const port = await closedPort();
    const emulator = startEmulator(provider, { EMULATOR_PORT: String(port), EMULATOR_API_KEY: KEY });
    const url = await listening(provider.label, emulator);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    // A key of one's own is not printed.
    expect(emulator.output()).toContain('(Bearer <EMULATOR_API_KEY>)');
    expect(emulator.output()).not.toContain(KEY);

    const keyed = await provider.exercise(url);
    expect(await provider.refused(url, 'emulator-key')).toBe(401);
    expect((await fetch(`${url}${keyed}`)).status).toBe(401);
    const wrongKey = await fetch(`${url}${keyed}`, { headers: { authorization: 'Bearer another-key' } });
    expect(wrongKey.status).toBe(401);

    emulator.child.kill('SIGTERM');
    const stopped = await Promise.race([emulator.exited, sleep(5_000).then(() => 'still running')]);
    expect(stopped).toBe(0);
    expect(await fetch(url).catch(() => 'refused')).toBe('refused');
  });

  it('a bad EMULATOR_PORT stops it with one line naming the setting', async () => {
    const emulator = startEmulator(provider, { EMULATOR_PORT: 'abc' });
    expect(await Promise.race([emulator.exited, sleep(10_000).then(() => 'still running')])).toBe(1);
    expect(emulator.output().trim()).toBe('EMULATOR_PORT must be an integer from 0 to 65535, got "abc"');
  });
});
