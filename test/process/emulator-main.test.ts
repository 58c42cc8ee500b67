// `npm run emulator` (src/providers/vapi/emulator/main.ts) as its own process: EMULATOR_PORT and
// EMULATOR_API_KEY, the official SDK against it, 401 for any other key, a bad port refused in one
// line, and a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { VapiError, VapiClient as VapiSdk } from '@vapi-ai/server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/config/paths.ts';
import { closedPort } from '../helpers/ports.ts';
import { stopStartedProcesses, tracked } from '../helpers/server-process.ts';

const KEY = 'standalone-emulator-key';

afterEach(() => stopStartedProcesses());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the emulator as `npm run emulator` does, with these settings. */
function startEmulator(env: Record<string, string>) {
  const child = tracked(
    spawn(process.execPath, ['--import', 'tsx', 'src/providers/vapi/emulator/main.ts'], {
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

async function listening(emulator: ReturnType<typeof startEmulator>): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const url = /Vapi emulator listening on (http:\/\/\S+)/.exec(emulator.output())?.[1];
    if (url) return url;
    if (emulator.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the emulator did not start:\n${emulator.output()}`);
}

describe('npm run emulator', () => {
  it('listens on EMULATOR_PORT with EMULATOR_API_KEY, answers the SDK, refuses other keys, stops on SIGTERM', async () => {
    const port = await closedPort();
    const emulator = startEmulator({ EMULATOR_PORT: String(port), EMULATOR_API_KEY: KEY });
    const url = await listening(emulator);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    // A key of one's own is not printed.
    expect(emulator.output()).toContain('(Bearer <EMULATOR_API_KEY>)');
    expect(emulator.output()).not.toContain(KEY);

    const sdk = new VapiSdk({ token: KEY, baseUrl: url, maxRetries: 0 });
    const created = await sdk.assistants.create({ name: 'Standalone' } as never);
    expect(created).toMatchObject({ name: 'Standalone', id: expect.any(String) });
    expect(await sdk.assistants.get({ id: created.id })).toEqual(created);
    expect((await sdk.assistants.list({ limit: 10 })).map((a) => a.id)).toEqual([created.id]);

    const stranger = new VapiSdk({ token: 'emulator-key', baseUrl: url, maxRetries: 0 });
    const refused = await stranger.assistants.list({ limit: 1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(VapiError);
    expect((refused as VapiError).statusCode).toBe(401);
    expect((await fetch(`${url}/assistant/${created.id}`)).status).toBe(401);
    const wrongKey = await fetch(`${url}/assistant/${created.id}`, {
      headers: { authorization: 'Bearer another-key' },
    });
    expect(wrongKey.status).toBe(401);

    emulator.child.kill('SIGTERM');
    const stopped = await Promise.race([emulator.exited, sleep(5_000).then(() => 'still running')]);
    expect(stopped).toBe(0);
    expect(await fetch(url).catch(() => 'refused')).toBe('refused');
  });

  it('a bad EMULATOR_PORT stops it with one line naming the setting', async () => {
    const emulator = startEmulator({ EMULATOR_PORT: 'abc' });
    expect(await Promise.race([emulator.exited, sleep(10_000).then(() => 'still running')])).toBe(1);
    expect(emulator.output().trim()).toBe('EMULATOR_PORT must be an integer from 0 to 65535, got "abc"');
  });
});
