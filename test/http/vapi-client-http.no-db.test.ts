// Switchboard's Vapi client (src/providers/vapi/vapi-client.ts over src/providers/http-transport.ts)
// against a plain HTTP server: what it sends, how it reads each kind of answer, that it keeps its
// connections, and what each failure becomes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.ts';
import { VapiClient } from '../../src/providers/vapi/vapi-client.ts';
import { closedPort } from '../helpers/ports.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Answer = (seen: Seen, response: http.ServerResponse) => void;

let answer: Answer = (_seen, response) => response.end();
const seen: Seen[] = [];
let connections = 0;
let baseUrl: string;
const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body };
    seen.push(entry);
    answer(entry, response);
  });
});
server.on('connection', () => connections++);

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return (_seen, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

/** One attempt per call, so each failure is seen as it is. */
const client = (options: { timeoutMs?: number; baseUrl?: string } = {}) =>
  new VapiClient({
    apiKey: 'key-1',
    baseUrl: options.baseUrl ?? baseUrl,
    timeoutMs: options.timeoutMs ?? 5_000,
    maxAttempts: 1,
  });

/** The ProviderError a call fails with; a call that succeeds fails the test. */
async function failure(call: Promise<unknown>): Promise<ProviderError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('the call succeeded');
}

describe('the Vapi client over its own transport', () => {
  it('sends the method, path, bearer key and only writable fields as JSON, and returns the answer whole', async () => {
    const stored = {
      id: 'a1',
      name: 'A',
      model: { messages: [{ role: 'system', content: 'hi' }] },
      unknownField: 7,
    };
    answer = json(200, stored);
    seen.length = 0;
    const vapi = client();
    expect(await vapi.update('a1', { name: 'A', id: 'a1', createdAt: '2026-01-01T00:00:00.000Z' })).toEqual(
      stored,
    );
    expect(await vapi.get('a/1')).toEqual(stored);
    expect(seen[0]).toMatchObject({ method: 'PATCH', url: '/assistant/a1', body: '{"name":"A"}' });
    expect(seen[0]?.headers).toMatchObject({
      authorization: 'Bearer key-1',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    // An id is one path segment, whatever it holds; a read sends no body.
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/assistant/a%2F1', body: '' });
    expect(seen[1]?.headers['content-type']).toBeUndefined();
  });

  it('lists page by page, older pages by createdAtLt, until a short page', async () => {
    const page = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `p${from + i}`,
        createdAt: `2026-01-01T00:00:${String(59 - from - i).padStart(2, '0')}.000Z`,
      }));
    seen.length = 0;
    answer = (entry, response) => {
      const older = new URL(entry.url, baseUrl).searchParams.get('createdAtLt');
      json(200, older ? page(3, 1000) : page(1000, 0))(entry, response);
    };
    const all = await client().listAll();
    expect(all).toHaveLength(1003);
    expect(seen.map((entry) => entry.url)).toEqual([
      '/assistant?limit=1000',
      `/assistant?limit=1000&createdAtLt=${encodeURIComponent(String(all[999]?.createdAt))}`,
    ]);
  });

  it('keeps one connection for calls one after another', async () => {
    answer = json(200, { id: 'a1' });
    const vapi = client();
    const before = connections;
    for (let i = 0; i < 3; i++) await vapi.get('a1');
    expect(connections - before).toBe(1);
  });

  it('an error status: its JSON messages name the fields; a 429 passes its Retry-After on', async () => {
    answer = json(400, { message: ['model.temperature must not be greater than 2'], statusCode: 400 });
    expect(await failure(client().get('a1'))).toMatchObject({
      statusCode: 400,
      code: 'provider_validation',
      details: [{ field: 'model.temperature', message: 'model.temperature must not be greater than 2' }],
    });
    answer = json(429, { message: 'Rate limit exceeded' }, { 'retry-after': '3' });
    expect(await failure(client().get('a1'))).toMatchObject({
      code: 'provider_rate_limited',
      headers: { 'retry-after': '3' },
    });
    // A single message (not a list) is kept too.
    answer = json(400, { message: 'name must be shorter than or equal to 40 characters' });
    expect(await failure(client().get('a1'))).toMatchObject({
      code: 'provider_validation',
      message: expect.stringContaining('name must be shorter than or equal to 40 characters'),
    });
  });

  it('an answer that is not JSON (a proxy’s error page, a success in HTML) is a provider error naming its status', async () => {
    answer = (_seen, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad gateway</html>');
    };
    expect(await failure(client().get('a1'))).toMatchObject({
      code: 'provider_error',
      message: expect.stringContaining('HTTP 502'),
    });
    answer = (_seen, response) => response.end('not json');
    expect(await failure(client().get('a1'))).toMatchObject({
      code: 'provider_error',
      message: expect.stringContaining('HTTP 200'),
    });
  });

  it('a redirect is not a success: it is a provider error naming its status', async () => {
    answer = json(302, { id: 'a1' }, { location: '/elsewhere' });
    expect(await failure(client().get('a1'))).toMatchObject({
      code: 'provider_error',
      message: expect.stringContaining('HTTP 302'),
    });
  });

  it('reads an answer whose UTF-8 characters arrive split across chunks', async () => {
    answer = (_seen, response) => {
      const bytes = Buffer.from(JSON.stringify({ id: 'a1', name: 'Café' }), 'utf8');
      const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of "é"
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(bytes.subarray(0, cut));
      setTimeout(() => response.end(bytes.subarray(cut)), 10);
    };
    expect(await client().get('a1')).toEqual({ id: 'a1', name: 'Café' });
  });

  it('a create is sent once, with the mark beside the user’s own metadata, and never retried', async () => {
    seen.length = 0;
    answer = json(201, { id: 'new-1' });
    const mark = { orgId: 'org-1', assistantId: 'sb-1' };
    await new VapiClient({
      apiKey: 'key-1',
      baseUrl: `${baseUrl}/`,
      timeoutMs: 5_000,
      maxAttempts: 3,
    }).create({ name: 'A', metadata: { team: 'sales' } }, mark);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/assistant' });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      name: 'A',
      metadata: { team: 'sales', switchboard: mark },
    });
    seen.length = 0;
    answer = json(503, { message: 'unavailable' });
    const retrying = new VapiClient({
      apiKey: 'key-1',
      baseUrl,
      timeoutMs: 5_000,
      maxAttempts: 3,
      backoffMs: 1,
    });
    expect(await failure(retrying.create({ name: 'A' }, mark))).toMatchObject({ code: 'provider_error' });
    expect(seen).toHaveLength(1);
  });

  it('finds a create by its mark among the assistants made since shortly before it', async () => {
    seen.length = 0;
    const since = new Date('2026-11-30T12:00:00.000Z');
    answer = json(200, [
      { id: 'other', metadata: { switchboard: { orgId: 'org-1', assistantId: 'sb-other' } } },
      { id: 'mine', metadata: { switchboard: { orgId: 'org-1', assistantId: 'sb-1' } } },
      { id: 'unmarked' },
    ]);
    const found = await client().findCreated({ orgId: 'org-1', assistantId: 'sb-1' }, since);
    expect(found?.id).toBe('mine');
    // Ten minutes of allowance for the provider's clock.
    const asked = new URL(seen[0]?.url ?? '', baseUrl).searchParams;
    expect(asked.get('createdAtGe')).toBe('2026-11-30T11:50:00.000Z');
  });

  it('a key check that reaches something other than a list of assistants says so', async () => {
    answer = json(200, { ok: true });
    expect(await failure(client().checkKey())).toMatchObject({
      code: 'provider_unreachable',
      message: expect.stringContaining('not with a list of assistants'),
    });
  });

  it('a call that gets no answer in time is a timeout that may have been applied', async () => {
    answer = () => {}; // never answers
    const started = Date.now();
    const timedOut = await failure(client({ timeoutMs: 50 }).update('a1', { name: 'B' }));
    expect(timedOut).toMatchObject({ code: 'provider_timeout', definitelyNotApplied: false });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a refused connection is unreachable, and certainly changed nothing', async () => {
    const closed = client({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    expect(await failure(closed.update('a1', { name: 'B' }))).toMatchObject({
      code: 'provider_unreachable',
      message: expect.stringContaining('connection refused'),
      definitelyNotApplied: true,
    });
  });
});
