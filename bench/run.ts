// `npm run bench`: Switchboard driven over HTTP on loopback, measured side by side with what it
// sits between: a bare Fastify route (the framework's limit) and the standalone Vapi emulator.
// Every row uses the same connections and duration. Prints a table and writes bench/results.json.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { npmStartArgs } from '../scripts/npm-start.ts';
import { postgresBin, startPostgres } from '../test/helpers/postgres.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Unmeasured load before each row, so no row pays for the JIT warming up or for cold connections. */
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 1);
const KEY = 'bench-emulator-key';
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1' };

interface Row {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A TypeScript entry runs through tsx. */
function tsx(script: string): string[] {
  return ['--import', 'tsx', script];
}

/** Every child this run started, so none outlives it whatever happens. */
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs `node` with `args` and the given environment only. */
function spawnNode(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

/** Polls until `url` answers with a 2xx, or with anything at all when `anyAnswer`. */
async function waitHealthy(url: string, { anyAnswer = false, timeoutMs = 60_000 } = {}): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.ok || anyAnswer) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${url} did not become healthy`);
}

function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/**
 * Warms up with the same load, lets what it left in flight finish, then measures. `options` is a
 * function when a run keeps state (which assistants are free), so each run starts afresh.
 */
async function load(name: string, options: autocannon.Options | (() => autocannon.Options)): Promise<Row> {
  const fresh = typeof options === 'function' ? options : () => options;
  if (WARMUP_S > 0) {
    await autocannon({ connections: CONNECTIONS, duration: WARMUP_S, ...fresh() });
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...fresh() });
  const row = {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
  console.error(
    `  ${name}: ${row.requestsPerSecond} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, errors ${row.errors}`,
  );
  return row;
}

async function json(url: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

class Emulator {
  readonly url: string;
  private readonly process: ChildProcess;
  private constructor(url: string, child: ChildProcess) {
    this.url = url;
    this.process = child;
  }
  static async start(): Promise<Emulator> {
    const port = await freePort();
    const child = spawnNode(tsx('src/providers/vapi/emulator/main.ts'), {
      EMULATOR_PORT: String(port),
      EMULATOR_API_KEY: KEY,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, { anyAnswer: true });
    return new Emulator(url, child);
  }
  headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  async latency(ms: number) {
    await json(`${this.url}/__emulator/faults`, {
      method: 'PUT',
      headers: this.headers,
      body: JSON.stringify({ latencyMs: ms }),
    });
  }
  stop() {
    this.process.kill('SIGTERM');
  }
}

interface Switchboard {
  url: string;
  process: ChildProcess;
  startMs: number;
  cookie: string;
}

async function startSwitchboard(env: Record<string, string>): Promise<Switchboard> {
  const port = await freePort();
  const started = performance.now();
  // As `npm start` runs it: the bundle, with the same Node flags.
  const child = spawnNode(npmStartArgs(), {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SYNC_INTERVAL_SECONDS: '0',
    COOKIE_SECURE: 'false',
    VAPI_API_KEY: KEY,
    // Production refuses to start without a master key for the stored provider keys.
    SECRETS_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOGIN_RATE_LIMIT_PER_ADDRESS: '100000',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/healthz`);
  const startMs = Math.round(performance.now() - started);
  const login = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  return { url, process: child, startMs, cookie };
}

async function stopSwitchboard(s: Switchboard) {
  s.process.kill('SIGTERM');
  await new Promise((resolve) => s.process.once('exit', resolve));
}

/** Rows 3–5 for one database; returns the rows and the server's memory after the load. */
async function measureSwitchboard(label: string, s: Switchboard, emulator: Emulator) {
  const headers = { cookie: s.cookie, 'content-type': 'application/json' };
  const ids: string[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const created = await json(`${s.url}/assistants`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: `Bench ${i}`,
        model: {
          provider: 'openai',
          model: 'gpt-4o',
          temperature: 0.5,
          systemPrompt: 'You are benchmarked.',
        },
        voice: { provider: 'openai', voiceId: 'alloy' },
      }),
    });
    ids.push(created.id);
  }
  const rows: Row[] = [];
  rows.push(
    await load(`switchboard GET /assistants/{id} (${label})`, {
      url: `${s.url}/assistants/${ids[0]}`,
      headers,
    }),
  );
  rows.push(
    await load(`switchboard GET /assistants?limit=50 (${label})`, {
      url: `${s.url}/assistants?limit=50`,
      headers,
    }),
  );
  for (const latency of [0, 100]) {
    await emulator.latency(latency);
    // 50 concurrent requests on distinct assistants, as the target is stated: each request takes
    // an assistant no other request in flight holds, and gives it back with its answer.
    // (autocannon resets a request's context every round, so a connection cannot keep one.)
    rows.push(
      await load(`switchboard PATCH /assistants/{id}, provider +${latency} ms (${label})`, () => {
        let n = 0;
        const idle = [...ids];
        return {
          url: s.url,
          requests: [
            {
              method: 'PATCH',
              headers,
              setupRequest: (req, context: { assistantId?: string }) => {
                n++;
                context.assistantId = idle.pop() ?? (ids[n % ids.length] as string);
                const field = n % 2 === 0 ? { temperature: (n % 200) / 100 } : { maxTokens: 50 + (n % 1000) };
                return {
                  ...req,
                  path: `/assistants/${context.assistantId}`,
                  body: JSON.stringify({ model: field }),
                };
              },
              onResponse: (_status, _body, context: { assistantId?: string }) => {
                if (context.assistantId) idle.push(context.assistantId);
              },
            },
          ],
        };
      }),
    );
  }
  await emulator.latency(0);
  return { rows, rssMiB: rssMiB(s.process.pid) };
}

async function main() {
  console.error(
    `bench: ${CONNECTIONS} connections, ${DURATION_S} s per row after ${WARMUP_S} s of warm-up, Node ${process.version}`,
  );
  const emulator = await Emulator.start();
  const rows: Row[] = [];

  // 1. The framework's limit: a bare Fastify route answering a stored assistant from memory.
  const barePort = await freePort();
  const bare = spawnNode(tsx('bench/bare-server.ts'), { PORT: String(barePort) });
  await waitHealthy(`http://127.0.0.1:${barePort}/assistant`);
  rows.push(await load('bare Fastify GET (from memory)', { url: `http://127.0.0.1:${barePort}/assistant` }));
  bare.kill('SIGTERM');

  // 2. The emulator itself, and its PATCH at the two latencies.
  const sample = await json(`${emulator.url}/assistant`, {
    method: 'POST',
    headers: emulator.headers,
    body: JSON.stringify({ name: 'Sample', model: { provider: 'openai', model: 'gpt-4o' } }),
  });
  rows.push(
    await load('emulator GET /assistant/{id}', {
      url: `${emulator.url}/assistant/${sample.id}`,
      headers: emulator.headers,
    }),
  );
  for (const latency of [0, 100]) {
    await emulator.latency(latency);
    rows.push(
      await load(`emulator PATCH /assistant/{id}, +${latency} ms`, {
        url: `${emulator.url}/assistant/${sample.id}`,
        method: 'PATCH',
        headers: emulator.headers,
        body: JSON.stringify({ model: { provider: 'openai', model: 'gpt-4o', temperature: 0.4 } }),
      }),
    );
  }
  await emulator.latency(0);

  // 3–5 on PGlite: first start creates the data folder; the second start reuses it.
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const env = { DATA_DIR: dataDir, VAPI_BASE_URL: emulator.url };
  const first = await startSwitchboard(env);
  await stopSwitchboard(first);
  const pglite = await startSwitchboard(env);
  const pgliteRun = await measureSwitchboard('PGlite', pglite, emulator);
  rows.push(...pgliteRun.rows);
  await stopSwitchboard(pglite);
  rmSync(dataDir, { recursive: true, force: true });

  // 6. The same on a real PostgreSQL, when the machine has one.
  let postgres: { rows: Row[]; rssMiB: number; startMs: number } | undefined;
  if (postgresBin()) {
    const server = await startPostgres();
    try {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('create database bench');
      await admin.end();
      const s = await startSwitchboard({
        DATABASE_URL: server.url.replace(/\/postgres$/, '/bench'),
        VAPI_BASE_URL: emulator.url,
      });
      const run = await measureSwitchboard('PostgreSQL', s, emulator);
      rows.push(...run.rows);
      postgres = { ...run, startMs: s.startMs };
      await stopSwitchboard(s);
    } finally {
      server.stop();
    }
  }
  emulator.stop();

  const find = (prefix: string) => rows.find((r) => r.name.startsWith(prefix)) as Row;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const bareRow = find('bare');
  const ratios: Record<string, number> = {};
  for (const label of ['PGlite', 'PostgreSQL']) {
    const get = rows.find((r) => r.name === `switchboard GET /assistants/{id} (${label})`);
    if (!get) continue;
    ratios[`GET /assistants/{id} / bare (${label})`] = ratio(
      get.requestsPerSecond,
      bareRow.requestsPerSecond,
    );
    for (const latency of [0, 100]) {
      const sb = rows.find(
        (r) => r.name === `switchboard PATCH /assistants/{id}, provider +${latency} ms (${label})`,
      ) as Row;
      const em = find(`emulator PATCH /assistant/{id}, +${latency} ms`);
      ratios[`PATCH / emulator PATCH, +${latency} ms (${label})`] = ratio(
        sb.requestsPerSecond,
        em.requestsPerSecond,
      );
      ratios[`PATCH added p50 ms, +${latency} ms (${label})`] = Math.round((sb.p50Ms - em.p50Ms) * 100) / 100;
      ratios[`PATCH added p99 ms, +${latency} ms (${label})`] = Math.round((sb.p99Ms - em.p99Ms) * 100) / 100;
      // Each PATCH reads Vapi's copy before it sends (SPEC section 6): the part Switchboard adds
      // beyond its two provider calls.
      ratios[`PATCH added p50 ms over two emulator calls, +${latency} ms (${label})`] =
        Math.round((sb.p50Ms - 2 * em.p50Ms) * 100) / 100;
    }
  }
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    warmupSeconds: WARMUP_S,
    rows,
    ratios,
    startToHealthyMs: {
      pgliteFirstStart: first.startMs,
      pgliteExistingData: pglite.startMs,
      postgres: postgres?.startMs ?? null,
    },
    residentMemoryAfterLoadMiB: { pglite: pgliteRun.rssMiB, postgres: postgres?.rssMiB ?? null },
  };
  writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
}

function printTable(results: {
  rows: Row[];
  ratios: Record<string, number>;
  startToHealthyMs: Record<string, number | null>;
  residentMemoryAfterLoadMiB: Record<string, number | null>;
}) {
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  const width = Math.max(...results.rows.map((r) => r.name.length)) + 2;
  console.log(`\n${pad('row', width)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}errors`);
  for (const r of results.rows)
    console.log(
      `${pad(r.name, width)}${pad(r.requestsPerSecond, 9)}${pad(r.p50Ms, 9)}${pad(r.p99Ms, 9)}${r.errors}`,
    );
  console.log('\nratios');
  for (const [k, v] of Object.entries(results.ratios)) console.log(`  ${pad(k, width - 2)}${v}`);
  console.log('\nstart to healthy (ms)', results.startToHealthyMs);
  console.log('resident memory after load (MiB)', results.residentMemoryAfterLoadMiB);
  console.log('\nwritten to bench/results.json');
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
