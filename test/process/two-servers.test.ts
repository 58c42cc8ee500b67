// Two Switchboard servers on one real PostgreSQL: concurrent updates split between them never
// lose each other's changes, and both can start at once on an empty database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { noFaults, VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';
import { distinctModelUpdates, expectSerialised } from '../helpers/concurrency.ts';
import {
  api,
  listeningUrl,
  type Running,
  signIn,
  startServer,
  stopStartedProcesses,
} from '../helpers/server-process.ts';

const KEY = 'two-servers-key';
const ADMIN = { email: 'ops@example.com', password: 'ops-password-1' };
let emulator: VapiEmulator;
let servers: Running[] = [];
let urls: string[] = [];

async function newDatabaseUrl(): Promise<string> {
  const admin = new pg.Client({ connectionString: inject('postgresUrl') });
  await admin.connect();
  const name = `sb_two_${randomBytes(5).toString('hex')}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(inject('postgresUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  emulator = new VapiEmulator(KEY);
  const emulatorUrl = await emulator.listen();
  const databaseUrl = await newDatabaseUrl();
  const env = {
    DATABASE_URL: databaseUrl,
    VAPI_API_KEY: KEY,
    VAPI_BASE_URL: emulatorUrl,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    UPDATE_WAIT_MS: '60000',
  };
  // Both start at the same moment on the empty database: migrations and the first owner race.
  servers = [startServer(env), startServer(env)];
  urls = await Promise.all(servers.map(listeningUrl));
}, 120_000);

// Both servers serve every test; they stop when the file ends, even when one failed to start.
afterAll(async () => {
  await stopStartedProcesses();
  await emulator.close();
});

describe('two servers, one PostgreSQL', () => {
  it('both started on the empty database, and exactly one created the first owner', () => {
    const created = servers.filter((s) => s.output().includes('first owner created')).length;
    expect(created).toBe(1);
  });

  it('24 concurrent PATCHes split between the two servers: every change lands in both copies', async () => {
    const cookies = await Promise.all(urls.map((url) => signIn(url, ADMIN.email, ADMIN.password)));
    const created = await api(urls[0] as string, cookies[0] as string, 'POST', '/assistants', {
      name: 'Shared',
      model: {
        provider: 'openai',
        model: 'gpt-4o',
        temperature: 0.5,
        maxTokens: 100,
        systemPrompt: 'Start.',
      },
      voice: { provider: 'openai', voiceId: 'alloy' },
    });
    expect(created.status).toBe(201);
    emulator.requests.length = 0;
    emulator.faults = { ...noFaults(), latencyMs: 20 };

    const updates = distinctModelUpdates(24);
    const started = Date.now();
    const results = await Promise.all(
      updates.map((u, i) =>
        api(
          urls[i % 2] as string,
          cookies[i % 2] as string,
          'PATCH',
          `/assistants/${created.body.id}`,
          u.body,
        ),
      ),
    );
    const elapsed = Date.now() - started;
    expect(results.map((r) => r.status)).toEqual(updates.map(() => 200));

    const received = emulator.received('PATCH');
    expect(received).toHaveLength(24);
    const finalModel = expectSerialised(created.body.providerConfig.model, received, updates);
    for (const [i, url] of urls.entries()) {
      const stored = await api(url, cookies[i] as string, 'GET', `/assistants/${created.body.id}`);
      expect(stored.body.version).toBe(25);
      expect(stored.body.providerConfig.model).toEqual(finalModel);
    }
    expect(emulator.assistants.get(created.body.providerAssistantId)?.model).toEqual(finalModel);
    console.info(
      `[figures] two servers, 24 concurrent PATCHes (12 each), 20 ms provider latency: all 200 in ${elapsed} ms`,
    );
  }, 60_000);
});
