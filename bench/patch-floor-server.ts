// The I/O of a Switchboard PATCH and nothing else, on node:http and pg with no framework: the
// request in, the lease statement, the drift read and the change at the provider, the store
// statement (the update, the history row and the audit event), the answer out. No validation,
// authentication, diff or cache. `bench/patch-floor.ts` runs it to show what the machine and Node
// cost for that I/O alone, beside Switchboard's own figure.
import http from 'node:http';
import pg from 'pg';
import { HttpTransport } from '../src/providers/http-transport.ts';
import { VapiClient } from '../src/providers/vapi/vapi-client.ts';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const transport = new HttpTransport();
const provider = new URL(process.env.PROVIDER_URL ?? '');
const key = process.env.PROVIDER_KEY ?? '';

const LEASE = {
  name: 'floor_lease',
  text: `update floor_assistants set lease_token = gen_random_uuid(), lease_expires_at = now() + interval '30 s'
    where id = $1 and (lease_expires_at is null or lease_expires_at < now()) returning *`,
};
const STORE = {
  name: 'floor_store',
  text: `with updated as (
      update floor_assistants set config = $2::jsonb, version = version + 1, updated_at = now(),
        lease_token = null, lease_expires_at = null
      where id = $1 returning *),
    history as (insert into floor_versions (assistant_id, version, config, changed_paths)
      select id, version, config, $3::jsonb from updated),
    event as (insert into floor_events (org_id, action, target_id, detail)
      select org_id, 'assistant.updated', id::text, $4::jsonb from updated)
    select id, org_id, provider_id, version, sync_state, updated_at from updated`,
};

/** One provider call on Switchboard's bare transport (kept-alive node:http), without its client. */
async function call(method: string, path: string, body?: string): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
  if (body) headers['content-type'] = 'application/json';
  const url = new URL(path, provider);
  const answer = await transport.send(url, { method, headers, body, signal: new AbortController().signal });
  return JSON.parse(answer.text);
}

/** With FLOOR_CLIENT=switchboard, the provider calls go through Switchboard's whole Vapi client (retries, errors). */
const client =
  process.env.FLOOR_CLIENT === 'switchboard'
    ? new VapiClient({ apiKey: key, baseUrl: provider.href, timeoutMs: 10_000 })
    : undefined;

async function patch(id: string, body: Record<string, unknown>): Promise<string> {
  const { rows: leased } = await pool.query({ ...LEASE, values: [id] });
  const providerId = String(leased[0]?.provider_id);
  const remote = client ? await client.get(providerId) : await call('GET', `/assistant/${providerId}`);
  const confirmed = client
    ? await client.update(providerId, body)
    : await call('PATCH', `/assistant/${providerId}`, JSON.stringify(body));
  const changed = JSON.stringify(Object.keys(body));
  const { rows: stored } = await pool.query({
    ...STORE,
    values: [id, JSON.stringify(confirmed), changed, JSON.stringify({ changedPaths: Object.keys(body) })],
  });
  return JSON.stringify({ ...stored[0], config: confirmed, nameBefore: remote.name });
}

http
  .createServer((request, response) => {
    if (request.method !== 'PATCH' || !request.url?.startsWith('/assistants/')) {
      response.writeHead(404);
      response.end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = (request.url ?? '').slice('/assistants/'.length);
      const body = Buffer.concat(chunks).toString('utf8');
      Promise.resolve()
        .then(() => patch(id, JSON.parse(body)))
        .then(
          (answer) => {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(answer);
          },
          (error: Error) => {
            response.writeHead(500);
            response.end(error.message);
          },
        );
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
