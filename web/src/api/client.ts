// The typed client of Switchboard's HTTP API, for the dashboard and any other TypeScript caller (a
// command line): openapi-fetch over the types generated from /openapi.json into schema.d.ts, so a
// change to the API that breaks a caller fails the type check. No DOM or React here.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.d.ts';

export type { paths };
export type SwitchboardClient = Client<paths>;

export interface ClientOptions {
  /** Where the API is: `''` for the page's own origin (the dashboard), else e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** Sent with every request, e.g. `{ authorization: 'Bearer sb_…' }` for an organization API key. */
  headers?: Record<string, string>;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

export function createSwitchboardClient({ baseUrl, headers = {}, fetch }: ClientOptions): SwitchboardClient {
  return createClient<paths>({ baseUrl, headers, credentials: 'same-origin', ...(fetch ? { fetch } : {}) });
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON a route answers with `status` (200 unless given), as the API's document declares it. */
export type ResponseBody<
  Path extends keyof paths,
  M extends Method & keyof paths[Path],
  Status extends number = 200,
> = paths[Path][M] extends { responses: infer Responses }
  ? Status extends keyof Responses
    ? JsonOf<Responses[Status]>
    : never
  : never;

/** The JSON body a route takes. */
export type RequestBody<
  Path extends keyof paths,
  M extends Method & keyof paths[Path],
> = paths[Path][M] extends {
  requestBody?: infer Body;
}
  ? JsonOf<NonNullable<Body>>
  : never;

/** One problem of a 400, at the dotted request field it names. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A refused request, from the API's error envelope `{message, code, details}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** What openapi-fetch resolves to: `data` on success, `error` (the parsed body) otherwise. */
interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The answer of a request made with the client, or an ApiError saying why there is none: the
 * envelope's words for a refusal, a `network` error when Switchboard could not be reached.
 */
export async function answer<T>(request: Promise<Outcome<T>>): Promise<{ data: T; etag: string | null }> {
  let outcome: Outcome<T>;
  try {
    outcome = await request;
  } catch (error) {
    // fetch rejects with a TypeError when no answer came; anything else is a fault to surface.
    if (!(error instanceof TypeError)) throw error;
    throw new ApiError(
      0,
      'network',
      'Switchboard could not be reached. Check your connection and try again.',
    );
  }
  const { data, error, response } = outcome;
  if (!response.ok) {
    const envelope = (typeof error === 'object' && error !== null ? error : {}) as {
      message?: string;
      code?: string;
      details?: FieldProblem[];
    };
    throw new ApiError(
      response.status,
      envelope.code,
      envelope.message ?? `Request failed (HTTP ${response.status})`,
      envelope.details ?? [],
    );
  }
  return { data: data as T, etag: response.headers.get('etag') };
}
