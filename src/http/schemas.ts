// Shapes every route shares: the error envelope and the responses each status means.
import { Type } from 'typebox';

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
  401: 'Not authenticated: no valid session cookie.',
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

/** Declares the error statuses a route can answer, with the envelope as their body. */
export function errors<const S extends readonly number[]>(
  ...statuses: S
): { [K in S[number]]: typeof ErrorEnvelope } {
  return Object.fromEntries(
    statuses.map((status) => [status, { ...ErrorEnvelope, description: DESCRIPTIONS[status] ?? 'Error.' }]),
  ) as unknown as { [K in S[number]]: typeof ErrorEnvelope };
}

export const COOKIE_SECURITY = [{ cookieAuth: [] }];
