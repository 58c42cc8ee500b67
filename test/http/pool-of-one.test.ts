// No database connection is held while the provider answers: with a pool of one connection, an
// update waiting on a slow provider leaves that connection free, and other requests go on. On
// PGlite, which runs one statement at a time anyway, a transaction held across the provider call
// would block them just the same.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { createAssistant, openTestDatabase, startTestApp, type TestApp } from '../helpers/test-app.ts';

const PROVIDER_LATENCY_MS = 2_000;

let t: TestApp;

beforeAll(async () => {
  // On PostgreSQL every query waits for the pool's one connection; PGlite runs one at a time anyway.
  t = await startTestApp({
    database: await openTestDatabase({ poolSize: 1 }),
    env: { PROVIDER_TIMEOUT_MS: '5000' },
  });
});
afterAll(() => t.close());

/** The response and how long it took. */
async function timed(send: () => ReturnType<TestApp['request']>) {
  const started = Date.now();
  const res = await send();
  return { res, ms: Date.now() - started };
}

describe('a pool of one connection while the provider is slow', () => {
  it('an update waiting on the provider holds no connection: other reads complete meanwhile', async () => {
    const slow = await createAssistant(t, t.owner.cookie, { name: 'Slow at Vapi' });
    const other = await createAssistant(t, t.owner.cookie, { name: 'Another one' });
    t.emulator.requests.length = 0;
    t.emulator.faults = {
      ...noFaults(),
      latencyMs: PROVIDER_LATENCY_MS,
      latencyPhase: 'before',
      latencyMethods: ['PATCH'],
    };
    try {
      let patchDone = false;
      const patching = t
        .request(t.owner.cookie, 'PATCH', `/assistants/${slow.id}`, { name: 'Renamed slowly' })
        .finally(() => {
          patchDone = true;
        });
      await vi.waitFor(() => expect(t.emulator.received('PATCH')).toHaveLength(1), {
        timeout: 2_000,
        interval: 5,
      });
      // The update waits on the provider with its connection given back.
      const connections = t.database.connections();
      if (connections) expect(connections).toEqual({ open: 1, idle: 1 });

      // Read from the database, not from memory.
      t.services.caches.assistants.clear();
      const list = await timed(() => t.request(t.owner.cookie, 'GET', '/assistants'));
      const read = await timed(() => t.request(t.owner.cookie, 'GET', `/assistants/${other.id}`));
      expect(list.res.statusCode).toBe(200);
      expect(
        list.res
          .json()
          .items.map((a: { id: string }) => a.id)
          .sort(),
      ).toEqual([slow.id, other.id].sort());
      expect(read.res.statusCode).toBe(200);
      expect(read.res.json().name).toBe('Another one');
      expect(list.ms + read.ms).toBeLessThan(PROVIDER_LATENCY_MS / 3);
      expect(patchDone).toBe(false);

      const patched = await patching;
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ name: 'Renamed slowly', version: 2, syncState: 'synced' });
      if (connections) expect(t.database.connections()?.open).toBe(1);
    } finally {
      t.emulator.faults = noFaults();
    }
  });
});
