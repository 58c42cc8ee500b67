// The Vapi SDK's transport, on node:http(s) with kept-alive connections. The SDK's own goes through
// `fetch`, whose WHATWG streams and headers cost several times this transport's CPU per call
// (figures in bench/README.md): with two calls per PATCH, a good part of the server's CPU. The SDK still builds every request and reads every answer.
import http from 'node:http';
import https from 'node:https';
import type { BaseClientOptions } from '@vapi-ai/server-sdk';

type FetchFunction = NonNullable<BaseClientOptions['fetcher']>;
type FetcherArgs = Parameters<FetchFunction>[0];
type FetcherResult = Awaited<ReturnType<FetchFunction>>;
type RawResponse = FetcherResult['rawResponse'];

/** An idle connection is closed after this long, before a server is likely to close it under a request. */
const IDLE_MS = 4_000;

const NO_RESPONSE: RawResponse = {
  headers: new Headers(),
  redirected: false,
  status: 0,
  statusText: '',
  type: 'error',
  url: '',
};

/** A fetcher for `new VapiClient({ fetcher })`, with its own pool of kept-alive connections. */
export function httpFetcher(): FetchFunction {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
    'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
  };
  const fetcher = async (args: FetcherArgs): Promise<FetcherResult> => {
    const url = withQuery(args.url, args.queryParameters);
    const headers = await plainHeaders(args);
    // Every call Switchboard makes sends JSON, if anything (no file uploads).
    const body = args.body === undefined ? undefined : JSON.stringify(args.body);
    if (body !== undefined) headers['content-type'] = args.contentType ?? 'application/json';
    let response: { status: number; headers: http.IncomingHttpHeaders; text: string };
    try {
      response = await send(url, args.method, headers, body, agents, args.abortSignal, args.timeoutMs);
    } catch (error) {
      const cause = error as Error;
      if (args.abortSignal?.aborted) {
        return failed({ reason: 'unknown', errorMessage: 'The user aborted a request', cause });
      }
      if (cause instanceof BackstopTimeout) return failed({ reason: 'timeout', cause });
      return failed({ reason: 'unknown', errorMessage: cause.message, cause });
    }
    const rawResponse = toRawResponse(url, response.status, response.headers);
    const parsed = parseJson(response.text);
    if (response.status >= 200 && response.status < 400) {
      if (!parsed.ok) {
        return {
          ok: false,
          error: { reason: 'non-json', statusCode: response.status, rawBody: response.text },
          rawResponse,
        };
      }
      return { ok: true, body: parsed.value, rawResponse } as FetcherResult;
    }
    return {
      ok: false,
      error: {
        reason: 'status-code',
        statusCode: response.status,
        body: parsed.ok ? parsed.value : response.text,
      },
      rawResponse,
    };
  };
  return fetcher as FetchFunction;
}

/** Our own abort signal bounds each attempt; the SDK's timeout is a backstop behind it. */
class BackstopTimeout extends Error {}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  agents: Record<'http:' | 'https:', http.Agent>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(backstop);
      reject(error);
    };
    const agent = secure ? agents['https:'] : agents['http:'];
    const request = (secure ? https : http).request(url, { method, headers, agent, signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(backstop);
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const backstop =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => request.destroy(new BackstopTimeout('the request timed out')), timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}

function withQuery(base: string, query: Record<string, unknown> | undefined): URL {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
  }
  return url;
}

/** The SDK's headers (some may be suppliers) plus the Accept header its own transport sends. */
async function plainHeaders(args: FetcherArgs): Promise<Record<string, string>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [key, supplied] of Object.entries(args.headers ?? {})) {
    const value = typeof supplied === 'function' ? await supplied() : await supplied;
    if (value !== undefined && value !== null) headers[key.toLowerCase()] = String(value);
  }
  return headers;
}

function toRawResponse(url: URL, status: number, headers: http.IncomingHttpHeaders): RawResponse {
  const fetchHeaders = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      fetchHeaders.append(name, item);
    }
  }
  return {
    headers: fetchHeaders,
    redirected: false,
    status,
    statusText: http.STATUS_CODES[status] ?? '',
    type: 'basic',
    url: url.href,
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function failed(error: Extract<FetcherResult, { ok: false }>['error']): FetcherResult {
  return { ok: false, error, rawResponse: NO_RESPONSE };
}

/**
 * The SDK release whose fetcher shapes (`FetchFunction`'s arguments and result) this transport
 * fills; package.json pins it, and test/unit/pinned-internals.test.ts fails if another is installed.
 */
export const VAPI_SDK_FETCHER_OF = '2.0.1';
