// The database as the server opens it: settings that hold on every open, and the contract of
// PGlite's worker thread (src/db/pglite-thread.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/database.ts';
import { openPgliteEarly, PgliteThread, takeEarlyPglite } from '../../src/db/pglite-thread.ts';
import { pgliteWasmModule } from '../../src/db/pglite-wasm.ts';
import { codedCause } from '../../src/shared/error-cause.ts';
import { openTestDatabase } from '../helpers/test-app.ts';

let database: DatabaseHandle;
beforeAll(async () => {
  ({ database } = await openTestDatabase());
  await database.db.execute(sql`create table probe (n int not null)`);
});
afterAll(() => database.close());

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

it('a PostgreSQL error keeps its code and column, which the services read (e.g. a unique violation)', async () => {
  const failed = await database.db.execute(sql`insert into probe (n) values (null)`).catch((error) => error);
  expect(codedCause(failed)).toMatchObject({ code: '23502', column: 'n' });
});

describe.skipIf(process.env.TEST_DATABASE !== 'postgres')('a real server', () => {
  it('runs queries on at most `poolSize` connections', async () => {
    const opened = await openTestDatabase();
    if (!opened.url) throw new Error('no PostgreSQL test database');
    const small = await openDatabase({ url: opened.url, poolSize: 2 });
    try {
      let most = 0;
      const watch = setInterval(() => {
        most = Math.max(most, small.connections()?.open ?? 0);
      }, 5);
      await Promise.all([1, 2, 3, 4].map(() => small.db.execute(sql`select pg_sleep(0.1)`)));
      clearInterval(watch);
      expect(most).toBe(2);
    } finally {
      await small.close();
      await opened.database.close();
    }
  });
});

describe.skipIf(process.env.TEST_DATABASE === 'postgres')('embedded PGlite', () => {
  it('opens with 16 MB of shared buffers, not the 128 MB default that lives in our process', async () => {
    const result = await database.db.execute(sql`show shared_buffers`);
    expect(rowsOf<{ shared_buffers: string }>(result)[0]?.shared_buffers).toBe('16MB');
  });

  it('works on its own thread: the event loop keeps turning during a long statement', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    await database.db.execute(sql`select count(*) from generate_series(1, 3000000)`);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // In-process, the statement runs synchronously in WebAssembly and no timer fires until it ends.
    expect(elapsed).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('a transaction holds the database across messages: others wait, a failure rolls it back', async () => {
    let outside: Promise<unknown> | undefined;
    let outsideDone = false;
    const transaction = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into probe (n) values (1)`);
      outside = database.db.execute(sql`select count(*)::int as n from probe`).then((result) => {
        outsideDone = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(outsideDone).toBe(false);
      throw new Error('changed my mind');
    });
    await expect(transaction).rejects.toThrow('changed my mind');
    expect(rowsOf<{ n: number }>(await outside)).toEqual([{ n: 0 }]);
  });

  it('a PGlite that cannot open fails every statement with its reason', async () => {
    const thread = new PgliteThread({
      dataDir: undefined,
      settings: ['shared_buffers=nonsense'],
      wasmModule: await pgliteWasmModule(),
    });
    await expect(thread.query('select 1')).rejects.toThrow(/^PGlite could not open: /);
    await expect(thread.query('select 1')).rejects.toThrow(/^PGlite could not open: /);
    await thread.close(); // a server stopping after such a failure still stops
  });

  it("takes up npm start's early open instead of opening the folder a second time", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-early-'));
    try {
      openPgliteEarly(dataDir);
      const early = await openDatabase({ dataDir });
      expect(takeEarlyPglite(dataDir)).toBeUndefined();
      await early.migrate();
      await early.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a transaction that returns is committed', async () => {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into probe (n) values (2)`);
    });
    const result = await database.db.execute(sql`select n from probe`);
    expect(rowsOf<{ n: number }>(result)).toEqual([{ n: 2 }]);
  });
});
