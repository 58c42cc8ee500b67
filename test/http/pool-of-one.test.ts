// No database connection is held while the provider answers: with a pool of one connection, an
// update waiting on a slow provider leaves that connection free, and other requests go on. On
// PGlite, which runs one statement at a time anyway, a transaction held across the provider call
// would block them just the same.
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import * as schema from '../../src/db/schema.ts';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import {
  createAssistant,
  openTestDatabase,
  startTestApp,
  type TestApp,
  type TestDatabase,
} from '../helpers/test-app.ts';

const PROVIDER_LATENCY_MS = 2_000;

let t: TestApp;
/** The one-connection pool every service uses, on PostgreSQL. */
let pool: pg.Pool | undefined;

/** The test database, its queries (not migrations nor notifications) on a pool of one connection. */
async function onOneConnection(): Promise<TestDatabase> {
  const opened = await openTestDatabase();
  if (opened.url === undefined) return opened;
  const onePool = new pg.Pool({ connectionString: opened.url, max: 1 });
  pool = onePool;
  const db = drizzle(onePool, { schema }) as unknown as Database;
  return {
    ...opened,
    database: {
      ...opened.database,
      db,
      async close() {
        await onePool.end();
        await opened.database.close();
      },
    },
  };
}

beforeAll(async () => {
  t = await startTestApp({ database: await onOneConnection(), env: { PROVIDER_TIMEOUT_MS: '5000' } });
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
      if (pool) {
        expect(pool.totalCount).toBe(1);
        expect(pool.idleCount).toBe(1);
      }

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
      if (pool) expect(pool.totalCount).toBe(1);
    } finally {
      t.emulator.faults = noFaults();
    }
  });
});
