// Shapes every route shares: the error envelope and the responses each status means.
import { type Static, type TSchema, Type } from 'typebox';

/** A schema that also accepts `null`, written as a type array so errors stay readable. */
export function nullable<T extends TSchema>(schema: T) {
  const raw = schema as unknown as { type: string; enum?: unknown[] };
  return Type.Unsafe<Static<T> | null>({
    ...raw,
    type: [raw.type, 'null'],
    ...(raw.enum ? { enum: [...raw.enum, null] } : {}),
  });
}

export const stringEnum = <const V extends readonly string[]>(values: V, description?: string) =>
  Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const ErrorEnvelope = Type.Object(
  {
    message: Type.String({ description: 'Human-readable error message.' }),
    code: Type.Optional(
      Type.String({
        description: 'Stable machine-readable reason, e.g. `validation_failed`, `provider_timeout`.',
      }),
    ),
    details: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Dotted path of the field, e.g. `model.temperature`.' }),
          message: Type.String(),
        }),
        { description: 'One entry per problem when the request failed validation.' },
      ),
    ),
    requestId: Type.Optional(Type.String({ description: 'Quote it when reporting a problem.' })),
  },
  { description: 'Standard error response envelope.' },
);

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid; `details` names every problem.',
  401: 'Not authenticated: no valid session cookie (or API key, where one is accepted).',
  403: 'Authenticated, but the role lacks the permission (or the request is cross-site).',
  404: 'Not found, or it belongs to another organization.',
  409: 'Conflicts with the current state.',
  412: 'If-Match does not match the current ETag.',
  413: 'The body is too large.',
  415: 'The body is not JSON.',
  429: 'Too many requests; see Retry-After.',
  500: 'Error communicating with the external provider, or inside Switchboard; `code` says which.',
  503: 'Not ready: a dependency does not answer.',
};

/**
 * A JSON response in OpenAPI's `content` form, so the response keeps its own description and the
 * schema keeps its own (the seed describes both).
 */
export function jsonResponse<T extends TSchema>(
  description: string,
  schema: T,
  headers?: Record<string, unknown>,
) {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } };
}

export function errorResponse(status: number, description = DESCRIPTIONS[status] ?? 'Error.') {
  return jsonResponse(description, ErrorEnvelope);
}

/** A body limit in words: "256 KiB", "1 MiB". */
export function sizeWords(bytes: number): string {
  const MiB = 1024 * 1024;
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** Declares the error statuses a route can answer, with the envelope as their body. */
export function errors<const S extends readonly number[]>(
  ...statuses: S
): { [K in S[number]]: ReturnType<typeof errorResponse> } {
  return Object.fromEntries(statuses.map((status) => [status, errorResponse(status)])) as unknown as {
    [K in S[number]]: ReturnType<typeof errorResponse>;
  };
}

/** For routes anyone may call. */
export const PUBLIC = [] as const;

export const COOKIE_SECURITY = [{ cookieAuth: [] }];

/** Assistant routes: the session cookie or an organization API key, either one. */
export const SESSION_OR_KEY_SECURITY: Array<Record<string, string[]>> = [
  { cookieAuth: [] },
  { apiKeyAuth: [] },
];
