// `npm run bench:floor`: what the I/O of one PATCH costs on this machine with no framework at all
// (bench/patch-floor-server.ts: node:http and pg, the same statements and provider calls), at the
// bench's load, beside the figure `npm run bench` measures for Switchboard. Needs Debian's
// PostgreSQL, as the bench's PostgreSQL rows do.
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import pg from 'pg';
import { freePort } from '../test/helpers/ports.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { closedLoopRow, loadSettingsFromEnv, send, sleep } from './load.ts';

const KEY = 'bench-floor-key';
const settings = loadSettingsFromEnv();

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startNode(script: string, env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  for (let i = 0; i < 300; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (up) return child;
    await sleep(100);
  }
  throw new Error(`${script} did not start`);
}

const provider = `http://127.0.0.1:${await freePort()}`;
await startNode(
  'src/providers/vapi/emulator/main.ts',
  { EMULATOR_PORT: new URL(provider).port, EMULATOR_API_KEY: KEY },
  Number(new URL(provider).port),
);
const providerHeaders = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const postgres = await startPostgres();
const db = new pg.Client({ connectionString: postgres.url });
await db.connect();
await db.query(`
  create table floor_assistants (
    id uuid primary key default gen_random_uuid(), org_id uuid not null default gen_random_uuid(),
    provider_id text unique, config jsonb not null, version int not null default 1,
    sync_state text not null default 'synced', lease_token uuid, lease_expires_at timestamptz,
    created_at timestamptz not null default now(), updated_at timestamptz not null default now());
  create index on floor_assistants (org_id, created_at desc, id desc);
  create table floor_versions (
    assistant_id uuid not null references floor_assistants (id) on delete cascade, version int not null,
    config jsonb not null, changed_paths jsonb, created_at timestamptz not null default now(),
    primary key (assistant_id, version));
  create table floor_events (
    id uuid primary key default gen_random_uuid(), org_id uuid, action text, target_id text,
    detail jsonb, created_at timestamptz not null default now());
  create index on floor_events (org_id, created_at desc, id desc);`);
const ids: string[] = [];
for (let i = 0; i < settings.connections; i++) {
  const created = await fetch(`${provider}/assistant`, {
    method: 'POST',
    headers: providerHeaders,
    body: JSON.stringify({
      name: `Floor ${i}`,
      model: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }] },
      voice: { provider: '11labs', voiceId: 'burt' },
    }),
  }).then((res) => res.json());
  const { rows } = await db.query(
    'insert into floor_assistants (provider_id, config) values ($1, $2) returning id',
    [created.id, created],
  );
  ids.push(rows[0].id);
}
await db.end();

const port = await freePort();
const server = await startNode(
  'bench/patch-floor-server.ts',
  {
    PORT: String(port),
    DATABASE_URL: postgres.url,
    PROVIDER_URL: provider,
    PROVIDER_KEY: KEY,
    FLOOR_CLIENT: process.env.FLOOR_CLIENT ?? 'node:http',
  },
  port,
);
const agent = new http.Agent({ keepAlive: true, maxSockets: settings.connections });
for (const latencyMs of [0, 100]) {
  await fetch(`${provider}/__emulator/faults`, {
    method: 'PUT',
    headers: providerHeaders,
    body: JSON.stringify({ latencyMs }),
  });
  await closedLoopRow(
    `PATCH I/O floor (node:http + pg, no framework), provider +${latencyMs} ms (PostgreSQL)`,
    settings,
    async (worker, round) =>
      (await send(
        agent,
        `http://127.0.0.1:${port}/assistants/${ids[worker]}`,
        'PATCH',
        { 'content-type': 'application/json' },
        JSON.stringify({ model: { provider: 'openai', model: 'gpt-4o', temperature: (round % 10) / 10 } }),
      )) === 200,
    server.pid,
  );
}
server.kill('SIGKILL');
postgres.stop();
process.exit(0);
