// A bulk job survives a SIGKILL of the server running it: it finishes after a restart (PGlite), or
// on the other of two servers (PostgreSQL), and every assistant's change reaches the provider once.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { noFaults, VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';
import { api, listeningUrl, signIn, startServer, stopStartedProcesses } from '../helpers/server-process.ts';

const KEY = 'jobs-crash-key';
const ADMIN = { email: 'ops@example.com', password: 'ops-password-1' };
const ITEMS = 8;
let emulator: VapiEmulator;
let emulatorUrl: string;

beforeAll(async () => {
  emulator = new VapiEmulator(KEY);
  emulatorUrl = await emulator.listen();
});
afterAll(() => emulator.close());
afterEach(async () => {
  await stopStartedProcesses();
  emulator.faults = noFaults();
  emulator.requests.length = 0;
});

const baseEnv = {
  VAPI_API_KEY: KEY,
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  // Short provider timeouts keep the update lease a dead server leaves behind short too.
  PROVIDER_TIMEOUT_MS: '1000',
  SYNC_INTERVAL_SECONDS: '0',
};

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Makes the assistants, then starts a bulk change of them while the provider answers slowly. */
async function startSlowBulk(url: string, cookie: string) {
  const ids: string[] = [];
  const providerIds: string[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const created = await api(url, cookie, 'POST', '/assistants', {
      name: `Crash bulk ${i}`,
      model: { provider: 'openai', model: 'gpt-4o' },
      voice: { provider: 'openai', voiceId: 'alloy' },
    });
    expect(created.status).toBe(201);
    ids.push(created.body.id);
    providerIds.push(created.body.providerAssistantId);
  }
  // Vapi applies each update, then takes its time to answer: a kill lands with one in flight.
  emulator.faults = { ...noFaults(), latencyMs: 400, latencyPhase: 'after', latencyMethods: ['PATCH'] };
  const res = await api(url, cookie, 'POST', '/assistants/bulk', {
    ids,
    patch: { firstMessage: 'Changed once' },
  });
  expect(res.status).toBe(202);
  await until(() => (emulator.received('PATCH').length >= 3 ? true : undefined), 'three writes');
  return { jobId: res.body.job.id as string, providerIds };
}

/** Every assistant's change reached the provider exactly once, and the provider has it. */
function expectEachAppliedOnce(providerIds: string[]) {
  for (const id of providerIds) {
    expect(emulator.received('PATCH').filter((r) => r.path.endsWith(id))).toHaveLength(1);
    expect(emulator.assistants.get(id)).toMatchObject({ firstMessage: 'Changed once' });
  }
}

const finished = (url: string, cookie: string, jobId: string) =>
  until(async () => {
    const job = (await api(url, cookie, 'GET', `/jobs/${jobId}`)).body;
    return ['succeeded', 'failed', 'cancelled'].includes(job.state) ? job : undefined;
  }, `job ${jobId} to finish`);

describe('a bulk job whose server is killed', () => {
  it('on PGlite: finishes after the restart, each change applied once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-jobs-crash-'));
    try {
      const env = { ...baseEnv, DATA_DIR: dataDir, VAPI_BASE_URL: emulatorUrl };
      const first = startServer(env);
      const url = await listeningUrl(first);
      const cookie = await signIn(url, ADMIN.email, ADMIN.password);
      const { jobId, providerIds } = await startSlowBulk(url, cookie);
      first.child.kill('SIGKILL');
      await first.exited;
      const before = (emulator.received('PATCH') as unknown[]).length;
      expect(before).toBeLessThan(ITEMS);

      const second = startServer(env);
      const url2 = await listeningUrl(second);
      const cookie2 = await signIn(url2, ADMIN.email, ADMIN.password);
      const job = await finished(url2, cookie2, jobId);
      expect(job).toMatchObject({ state: 'succeeded', total: ITEMS, done: ITEMS, failed: 0 });
      expectEachAppliedOnce(providerIds);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL: the other server takes it over and finishes it, each change applied once', async () => {
    const admin = new pg.Client({ connectionString: inject('postgresUrl') });
    await admin.connect();
    const name = `sb_jobs_${randomBytes(5).toString('hex')}`;
    await admin.query(`create database ${name}`);
    await admin.end();
    const databaseUrl = new URL(inject('postgresUrl'));
    databaseUrl.pathname = `/${name}`;
    const env = { ...baseEnv, DATABASE_URL: databaseUrl.toString(), VAPI_BASE_URL: emulatorUrl };

    const runner = startServer(env);
    const url = await listeningUrl(runner);
    const other = startServer(env);
    const otherUrl = await listeningUrl(other);
    const cookie = await signIn(url, ADMIN.email, ADMIN.password);
    // The server that queues the job wakes its own runner at once, so it is the one running it.
    const { jobId, providerIds } = await startSlowBulk(url, cookie);
    runner.child.kill('SIGKILL');
    await runner.exited;

    const otherCookie = await signIn(otherUrl, ADMIN.email, ADMIN.password);
    const job = await finished(otherUrl, otherCookie, jobId);
    expect(job).toMatchObject({ state: 'succeeded', total: ITEMS, done: ITEMS, failed: 0 });
    expectEachAppliedOnce(providerIds);
  });
});
