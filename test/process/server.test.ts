// The real server process, as `npm start` runs it: configuration errors, first start on an empty
// data folder, the printed first password, a restart, and a graceful SIGTERM.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { listeningUrl, startServer, stopStartedProcesses } from '../helpers/server-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-process-'));
afterEach(() => stopStartedProcesses());
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const start = (env: Record<string, string>) => startServer({ DATA_DIR: dataDir, ...env });

describe('server process', () => {
  it('a bad setting stops the start with one line naming it', async () => {
    const server = start({ PORT: 'abc' });
    expect(await server.exited).toBe(1);
    expect(server.output().trim().split('\n')).toEqual([
      'Configuration error: PORT must be an integer from 0 to 65535, got "abc"',
    ]);
  });

  it('starts with embedded defaults, prints the first password once, and stops gracefully', async () => {
    const first = start({});
    const url = await listeningUrl(first);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(first.output()).toContain('every organization starts with a Sandbox connection');
    expect(first.output()).toContain('generated a master key for provider API keys');
    expect(statSync(join(dataDir, 'secrets.key')).mode & 0o777).toBe(0o600);
    const password = /admin@localhost with password (\S+)/.exec(first.output())?.[1];
    expect(password).toBeTruthy();

    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const created = await fetch(`${url}/assistants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({
        name: 'Process test',
        model: { provider: 'openai', model: 'gpt-4o' },
        voice: { provider: 'openai', voiceId: 'alloy' },
      }),
    });
    expect(created.status).toBe(201);
    const assistant = (await created.json()) as { id: string; provider: string };
    expect(assistant.provider).toBe('sandbox');
    expect(first.output()).not.toContain(cookie.split('=')[1] as string);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // The second start finds the owner and the assistant, and prints no password nor a new key.
    const second = start({});
    const url2 = await listeningUrl(second);
    expect(second.output()).not.toContain('with password');
    expect(second.output()).not.toContain('generated a master key');
    const again = await fetch(`${url2}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password }),
    });
    expect(again.status).toBe(200);
    // The sandbox kept the assistant in the database: it is still there to edit and sync.
    const cookie2 = (again.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const edited = await fetch(`${url2}/assistants/${assistant.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie: cookie2 },
      body: JSON.stringify({ firstMessage: 'Edited after a restart' }),
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({
      firstMessage: 'Edited after a restart',
      version: 2,
      name: 'Process test',
    });
    const synced = await fetch(`${url2}/assistants/${assistant.id}/sync`, {
      method: 'POST',
      headers: { cookie: cookie2 },
    });
    expect(await synced.json()).toMatchObject({ version: 2, syncState: 'synced' });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});

describe('a signal while the server finishes starting', () => {
  it('SIGTERM the moment it listens stops it cleanly (exit 0), every time', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = start({});
      // On the output event itself, not a poll: the signal lands while the start's last steps run.
      const signalOnListening = () => {
        if (!/Server listening at/.test(server.output())) return;
        server.child.stdout?.off('data', signalOnListening);
        server.child.kill('SIGTERM');
      };
      server.child.stdout?.on('data', signalOnListening);
      const code = await server.exited;
      expect(code, server.output()).toBe(0);
    }
  }, 120_000);
});
