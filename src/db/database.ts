// Opens the database: embedded PGlite by default, a real PostgreSQL server with DATABASE_URL.
// Both hand back the same Drizzle type, so no other module knows which one it talks to.
import { randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { projectPath } from '../config/paths.ts';
import { PGLITE_SETTINGS, PgliteThread, takeEarlyPglite } from './pglite-thread.ts';
import { pgliteWasmModule } from './pglite-wasm.ts';
import * as schema from './schema.ts';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: 'pglite' | 'postgres';
  /** Applies the committed migrations; safe when several servers start at once. */
  migrate(): Promise<void>;
  /**
   * Calls `onNotify` for each notification on `channels`, and `onHealth` when the feed comes up
   * or goes down (a real server's connection is re-made every second while it is down).
   */
  listen(
    channels: readonly string[],
    onNotify: (channel: string, payload: string) => void,
    onHealth: (up: boolean) => void,
  ): Promise<() => Promise<void>>;
  /** The query pool's connections on a real server (open, and idle among them); none on PGlite. */
  connections(): { open: number; idle: number } | undefined;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | {
      url: string;
      /** How often the change feed proves it is alive (tests shorten it). */
      heartbeatMs?: number;
      /** Connections for queries (the change feed has its own); 10 unless given. */
      poolSize?: number;
    }
  | { dataDir: string }
  | { memory: true };

const migrationsFolder = projectPath('src', 'db', 'migrations');
/** Arbitrary key for the advisory lock that serialises migrations across servers. */
const MIGRATION_LOCK_KEY = 7_263_541;

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if ('url' in target)
    return openPostgres(target.url, target.heartbeatMs ?? HEARTBEAT_MS, target.poolSize ?? POOL_SIZE);
  const dataDir = 'dataDir' in target ? target.dataDir : undefined;
  const client =
    (dataDir && takeEarlyPglite(dataDir)) ||
    new PgliteThread({ dataDir, settings: PGLITE_SETTINGS, wasmModule: await pgliteWasmModule() });
  // Drizzle's PGlite driver calls only what the thread's client offers (query and transaction).
  const asPglite = client as unknown as PGlite;
  const db = drizzlePglite(asPglite, { schema }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(drizzlePglite(asPglite), { migrationsFolder }),
    // PGlite delivers a notification before the statement (or commit) that raised it returns.
    async listen(channels, onNotify, onHealth) {
      const unsubscribes = await Promise.all(
        channels.map((channel) => client.listen(channel, (payload) => onNotify(channel, payload))),
      );
      onHealth(true);
      return async () => {
        onHealth(false);
        for (const unsubscribe of unsubscribes) await unsubscribe();
      };
    },
    connections: () => undefined,
    close: () => client.close(),
  };
}

const POOL_SIZE = 10;

function openPostgres(url: string, heartbeatMs: number, poolSize: number): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Database;
  return {
    db,
    driver: 'postgres',
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migratePg(drizzlePg(client), { migrationsFolder });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
        client.release();
      }
    },
    listen: (channels, onNotify, onHealth) => listenPostgres(url, channels, onNotify, onHealth, heartbeatMs),
    connections: () => ({ open: pool.totalCount, idle: pool.idleCount }),
    close: () => pool.end(),
  };
}

const RELISTEN_DELAY_MS = 1_000;
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_CHANNEL = 'switchboard_heartbeat';

/**
 * A dedicated connection that LISTENs, re-made after a loss; the pool stays free for queries. A
 * connection can die without a word (a NAT or proxy forgets it), so every `heartbeatMs` it sends
 * itself a notification that must come back within `heartbeatMs`; when it does not, the feed
 * counts as down (callers stop caching) and is made again.
 */
async function listenPostgres(
  url: string,
  channels: readonly string[],
  onNotify: (channel: string, payload: string) => void,
  onHealth: (up: boolean) => void,
  heartbeatMs: number,
): Promise<() => Promise<void>> {
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let overdue: NodeJS.Timeout | undefined;
  let expected: string | undefined;
  let stopped = false;

  const stopHeartbeat = () => {
    clearInterval(heartbeat);
    clearTimeout(overdue);
    heartbeat = overdue = expected = undefined;
  };

  const lost = (client: pg.Client) => {
    if (current === client) {
      current = undefined;
      stopHeartbeat();
    }
    onHealth(false);
    client.end().catch(() => {});
    // A silently dead socket may never finish ending; it is abandoned either way.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    if (!stopped && !retry) {
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, RELISTEN_DELAY_MS);
    }
  };

  const beat = (client: pg.Client) => {
    if (expected !== undefined) return;
    expected = randomUUID();
    overdue = setTimeout(() => lost(client), heartbeatMs);
    client.query('select pg_notify($1, $2)', [HEARTBEAT_CHANNEL, expected]).catch(() => lost(client));
  };

  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (message) => {
      if (message.channel !== HEARTBEAT_CHANNEL) return onNotify(message.channel, message.payload ?? '');
      if (client === current && message.payload === expected) {
        clearTimeout(overdue);
        expected = undefined;
      }
    });
    client.on('error', () => lost(client));
    client.on('end', () => {
      if (current === client) lost(client);
    });
    try {
      await client.connect();
      for (const channel of [...channels, HEARTBEAT_CHANNEL]) await client.query(`listen ${channel}`);
      if (stopped) return void client.end().catch(() => {});
      current = client;
      heartbeat = setInterval(() => beat(client), heartbeatMs);
      heartbeat.unref();
      onHealth(true);
    } catch {
      lost(client);
    }
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    stopHeartbeat();
    onHealth(false);
    const client = current;
    current = undefined;
    await client?.end().catch(() => {});
  };
}

/** Readiness probe: one round trip. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}

/** Runs `work` in one transaction, handing it a `Database` so repositories take either. */
export function inTransaction<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction((tx) => work(tx as unknown as Database));
}
