// The Vapi SDK's transport (src/providers/vapi/http-fetcher.ts) against a plain HTTP server: what it
// sends, what it hands back to the SDK for each kind of answer, and that it keeps connections.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type VapiError, VapiClient as VapiSdk } from '@vapi-ai/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetcher } from '../../src/providers/vapi/http-fetcher.ts';

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

/** The error a call fails with; a call that succeeds fails the test. */
async function failure(call: Promise<unknown>): Promise<VapiError> {
  try {
    await call;
  } catch (error) {
    return error as VapiError;
  }
  throw new Error('the call succeeded');
}

const sdk = () => new VapiSdk({ token: 'key-1', baseUrl, maxRetries: 0, fetcher: httpFetcher() });

describe('the SDK over httpFetcher', () => {
  it('sends the method, path, query, bearer key and JSON body, and returns the answer whole', async () => {
    const stored = {
      id: 'a1',
      name: 'A',
      model: { messages: [{ role: 'system', content: 'hi' }] },
      unknownField: 7,
    };
    answer = json(200, stored);
    seen.length = 0;
    const client = sdk();
    expect(await client.assistants.update({ id: 'a1', name: 'A' } as never)).toEqual(stored);
    expect(await client.assistants.list({ limit: 2, createdAtLt: '2026-01-01T00:00:00.000Z' })).toEqual(
      stored,
    );
    expect(seen[0]).toMatchObject({ method: 'PATCH', url: '/assistant/a1', body: '{"name":"A"}' });
    expect(seen[0]?.headers).toMatchObject({
      authorization: 'Bearer key-1',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(seen[1]).toMatchObject({
      method: 'GET',
      url: '/assistant?limit=2&createdAtLt=2026-01-01T00%3A00%3A00.000Z',
      body: '',
    });
  });

  it('keeps one connection for calls one after another', async () => {
    answer = json(200, { id: 'a1' });
    const client = sdk();
    const before = connections;
    for (let i = 0; i < 3; i++) await client.assistants.get({ id: 'a1' });
    expect(connections - before).toBe(1);
  });

  it('an error status carries its JSON body, its status and its Retry-After to the SDK’s error', async () => {
    answer = json(
      429,
      { message: 'slow down', error: 'Too Many Requests', statusCode: 429 },
      { 'retry-after': '3' },
    );
    const failed = await failure(sdk().assistants.get({ id: 'a1' }));
    expect(failed).toMatchObject({ statusCode: 429, body: { message: 'slow down' } });
    expect(failed.rawResponse?.headers.get('retry-after')).toBe('3');
  });

  it('an error page that is not JSON (a proxy’s) reaches the SDK as its text', async () => {
    answer = (_seen, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad gateway</html>');
    };
    const failed = await failure(sdk().assistants.get({ id: 'a1' }));
    expect(failed).toMatchObject({ statusCode: 502, body: '<html>Bad gateway</html>' });
  });
});

describe('httpFetcher on its own', () => {
  const fetcher = httpFetcher();

  it('a success that is not JSON is reported as such, with the text', async () => {
    answer = (_seen, response) => response.end('not json');
    const result = await fetcher({ url: `${baseUrl}/x`, method: 'GET' });
    expect(result).toMatchObject({
      ok: false,
      error: { reason: 'non-json', statusCode: 200, rawBody: 'not json' },
    });
  });

  it('stops when its caller aborts, and when its own timeout passes', async () => {
    answer = () => {}; // never answers
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    const aborted = await fetcher({ url: `${baseUrl}/hang`, method: 'GET', abortSignal: abort.signal });
    expect(aborted).toMatchObject({
      ok: false,
      error: { reason: 'unknown', errorMessage: 'The user aborted a request' },
    });
    const timedOut = await fetcher({ url: `${baseUrl}/hang`, method: 'GET', timeoutMs: 20 });
    expect(timedOut).toMatchObject({ ok: false, error: { reason: 'timeout' } });
  });

  it('a refused connection keeps its code for the caller (it was never sent)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await fetcher({ url: `http://127.0.0.1:${port}/x`, method: 'GET' });
    expect(result).toMatchObject({
      ok: false,
      error: { reason: 'unknown', cause: { code: 'ECONNREFUSED' } },
    });
  });
});
