// What happens to an update when the server dies, or is asked to stop, while Vapi is answering.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noFaults, VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';
import {
  api,
  listeningUrl,
  type Running,
  signIn,
  startServer,
  stopStartedProcesses,
} from '../helpers/server-process.ts';

const KEY = 'process-emulator-key';
const ADMIN = { email: 'ops@example.com', password: 'ops-password-1' };
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
let emulator: VapiEmulator;
let emulatorUrl: string;

beforeAll(async () => {
  emulator = new VapiEmulator(KEY);
  emulatorUrl = await emulator.listen();
});
afterAll(async () => {
  await emulator.close();
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(() => stopStartedProcesses());
beforeEach(() => {
  emulator.faults = noFaults();
  // Each test waits on "Vapi received the PATCH"; an earlier test's PATCH must not count.
  emulator.requests.length = 0;
});

const start = () =>
  startServer({
    DATA_DIR: dataDir,
    VAPI_API_KEY: KEY,
    VAPI_BASE_URL: emulatorUrl,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    PROVIDER_TIMEOUT_MS: '5000',
  });

async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Exit code 0; otherwise the server's output says why. */
async function expectCleanExit(server: Running) {
  const code = await server.exited;
  if (code !== 0) console.log(server.output());
  expect(code).toBe(0);
}

const assistantBody = {
  name: 'Crash test',
  model: { provider: 'openai', model: 'gpt-4o', systemPrompt: 'Stay calm.' },
  voice: { provider: 'openai', voiceId: 'alloy' },
};

describe('crash between the provider and the database', () => {
  it('the next start stores what the provider accepted, and the assistant is in step again', async () => {
    const first = start();
    const url = await listeningUrl(first);
    const cookie = await signIn(url, ADMIN.email, ADMIN.password);
    const created = await api(url, cookie, 'POST', '/assistants', assistantBody);
    expect(created.status).toBe(201);
    const providerId: string = created.body.providerAssistantId;

    // Vapi applies the update, then takes its time to answer; the server dies in that window.
    emulator.faults = { ...noFaults(), latencyMs: 5_000, latencyPhase: 'after', latencyMethods: ['PATCH'] };
    const inFlight = api(url, cookie, 'PATCH', `/assistants/${created.body.id}`, {
      model: { temperature: 1.3 },
    }).catch(() => 'connection lost');
    await until(
      () => (emulator.assistants.get(providerId)?.model as { temperature?: number })?.temperature === 1.3,
      'the update to reach Vapi',
    );
    first.child.kill('SIGKILL');
    expect(await inFlight).toBe('connection lost');
    await first.exited;
    emulator.faults = noFaults();

    const second = start();
    const url2 = await listeningUrl(second);
    const cookie2 = await signIn(url2, ADMIN.email, ADMIN.password);
    const after = await api(url2, cookie2, 'GET', `/assistants/${created.body.id}`);
    expect(after.body).toMatchObject({
      syncState: 'synced',
      version: 2,
      model: { temperature: 1.3, systemPrompt: 'Stay calm.' },
    });
    expect(after.body.providerConfig).toEqual(emulator.assistants.get(providerId));
    expect(second.output()).toContain('settled 1 assistant(s) left pending');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});

describe('crash during a create', () => {
  it('a server killed after the provider created the assistant: the next start adopts it, once', async () => {
    const first = start();
    try {
      const url = await listeningUrl(first);
      const cookie = await signIn(url, ADMIN.email, ADMIN.password);
      // Vapi creates the assistant, then takes its time to answer; the server dies in that window.
      emulator.faults = { ...noFaults(), latencyMs: 5_000, latencyPhase: 'after', latencyMethods: ['POST'] };
      const inFlight = api(url, cookie, 'POST', '/assistants', {
        ...assistantBody,
        name: 'Created then crashed',
      }).catch(() => 'connection lost');
      const atVapi = () => [...emulator.assistants.values()].filter((a) => a.name === 'Created then crashed');
      await until(() => atVapi().length === 1, 'the create to reach Vapi');
      first.child.kill('SIGKILL');
      expect(await inFlight).toBe('connection lost');
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
      emulator.faults = noFaults();
    }

    const second = start();
    try {
      const url2 = await listeningUrl(second);
      const cookie2 = await signIn(url2, ADMIN.email, ADMIN.password);
      const list = await api(url2, cookie2, 'GET', '/assistants?q=Created then crashed');
      const remote = [...emulator.assistants.values()].filter((a) => a.name === 'Created then crashed');
      expect(remote).toHaveLength(1);
      expect(list.body.items).toEqual([
        expect.objectContaining({ providerAssistantId: remote[0]?.id, syncState: 'synced', version: 1 }),
      ]);
      expect(emulator.received('POST')).toHaveLength(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 120_000);
});

describe('graceful shutdown', () => {
  /** A started server, signed in, with one new assistant. */
  async function serverWithAssistant(name: string) {
    const server = start();
    const url = await listeningUrl(server);
    const cookie = await signIn(url, ADMIN.email, ADMIN.password);
    const created = await api(url, cookie, 'POST', '/assistants', { ...assistantBody, name });
    return { server, url, cookie, id: created.body.id as string };
  }

  /** The assistant as the next process finds it, and that process's output. */
  async function afterRestart(id: string) {
    emulator.faults = noFaults();
    const again = start();
    const url = await listeningUrl(again);
    const stored = await api(url, await signIn(url, ADMIN.email, ADMIN.password), 'GET', `/assistants/${id}`);
    again.child.kill('SIGTERM');
    await again.exited;
    return { assistant: stored.body, output: again.output() };
  }

  it('SIGTERM lets an in-flight update finish and store before the process exits', async () => {
    const { server, url, cookie, id } = await serverWithAssistant('Shutdown test');
    emulator.faults = { ...noFaults(), latencyMs: 1_000 };
    const inFlight = api(url, cookie, 'PATCH', `/assistants/${id}`, { name: 'Finished on SIGTERM' });
    await until(() => emulator.received('PATCH').length > 0, 'the update to reach Vapi');
    server.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    await expectCleanExit(server);

    const { assistant } = await afterRestart(id);
    expect(assistant).toMatchObject({ name: 'Finished on SIGTERM', version: 2, syncState: 'synced' });
  }, 120_000);

  it('SIGTERM after the caller hung up still lets the update store before the database closes', async () => {
    const { server, url, cookie, id } = await serverWithAssistant('Abandoned update');
    // The caller gives up while Vapi is answering, so its connection is gone before SIGTERM:
    // closing the server waits for no connection, only for the handler.
    emulator.faults = { ...noFaults(), latencyMs: 1_000 };
    const caller = new AbortController();
    const abandoned = fetch(`${url}/assistants/${id}`, {
      method: 'PATCH',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Stored after hang-up' }),
      signal: caller.signal,
    }).catch(() => 'hung up');
    await until(() => emulator.received('PATCH').length > 0, 'the update to reach Vapi');
    caller.abort();
    expect(await abandoned).toBe('hung up');
    server.child.kill('SIGTERM');
    await expectCleanExit(server);

    const { assistant, output } = await afterRestart(id);
    expect(assistant).toMatchObject({ name: 'Stored after hang-up', version: 2, syncState: 'synced' });
    // Stored by the first process, not settled by this one from Vapi's copy.
    expect(output).not.toContain('left pending');
  }, 120_000);

  it('SIGTERM does not wait on a connection that never sent a request', async () => {
    const server = start();
    const url = new URL(await listeningUrl(server));
    // Browsers open spare connections ahead of need; Node's server.close() waits for them.
    const spare = connect(Number(url.port), url.hostname);
    await once(spare, 'connect');
    server.child.kill('SIGTERM');
    await expectCleanExit(server);
    spare.destroy();
  }, 60_000);
});
