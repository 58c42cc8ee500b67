// The change feed that keeps every server's caches right (LISTEN on a real PostgreSQL): a
// connection that dies without a word must not leave caches on with no invalidations. Driven
// through a TCP proxy that can stall, as a NAT or proxy that forgets a connection does.
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Caches, listenForChanges } from '../../src/db/caches.ts';
import { type DatabaseHandle, openDatabase } from '../../src/db/database.ts';

const onPostgres = process.env.TEST_DATABASE === 'postgres';

/** A loopback TCP proxy to `target` whose traffic can be stalled and resumed. */
async function stallingProxy(target: URL) {
  const sockets = new Set<Socket>();
  let stalled = false;
  const server: Server = createServer((client) => {
    const upstream = netConnect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      if (stalled) socket.pause();
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    stall(on: boolean) {
      stalled = on;
      for (const socket of sockets) on ? socket.pause() : socket.resume();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Whether `caches` keeps what it loads: a second read of one key loads again when it does not. */
async function caching(caches: Caches): Promise<boolean> {
  let loads = 0;
  const key = `probe-${Math.random()}`;
  const load = async () => {
    loads++;
    return { keyId: 'k', name: 'probe', orgId: 'o', role: 'viewer' as const, lastUsedAt: null };
  };
  await caches.apiKeys.getOrLoad(key, load);
  await caches.apiKeys.getOrLoad(key, load);
  return loads === 1;
}

async function until(condition: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}

describe.skipIf(!onPostgres)('the change feed on PostgreSQL', () => {
  let database: DatabaseHandle | undefined;
  let proxy: Awaited<ReturnType<typeof stallingProxy>> | undefined;
  afterAll(async () => {
    await database?.close().catch(() => {});
    await proxy?.close();
  });

  it('a silently dropped notification connection turns caching off, and back on once the feed returns', async () => {
    proxy = await stallingProxy(new URL(inject('postgresUrl')));
    database = await openDatabase({ url: proxy.url, heartbeatMs: 200 });
    const caches = new Caches();
    const stop = await listenForChanges(database, caches, pino({ level: 'silent' }));
    try {
      expect(await caching(caches)).toBe(true);
      proxy.stall(true);
      const off = await until(async () => !(await caching(caches)), 3_000);
      console.log(`[figures] a stalled change feed turned caching off after ${off} ms (heartbeat 200 ms)`);
      proxy.stall(false);
      const on = await until(() => caching(caches), 5_000);
      console.log(`[figures] caching back on ${on} ms after the connection recovered`);
    } finally {
      await stop();
    }
  });
});
