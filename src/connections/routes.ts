// Thin routes for connections (SPEC section 9): parse, call the service, map. The key goes in and
// never comes out: no answer carries it, only its last 4 characters.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, type Guards, userCallerOf } from '../http/authenticate.ts';
import { COOKIE_SECURITY, errors, nullable, SESSION_OR_KEY_SECURITY, stringEnum } from '../http/schemas.ts';
import type { ConnectionService, ConnectionView } from './connection-service.ts';

const PROVIDERS = ['vapi', 'retell', 'sandbox'] as const;
const STATUSES = ['ok', 'invalid', 'unreachable'] as const;

const name = Type.String({
  minLength: 1,
  maxLength: 80,
  description: 'A name people recognise, unique in the organization.',
});
const apiKey = Type.String({
  minLength: 8,
  maxLength: 500,
  // Printable ASCII without spaces: anything else cannot travel in an Authorization header.
  pattern: '^[!-~]+$',
  description:
    "The provider's private API key. Checked with one read before it is stored; never shown again.",
});

const Connection = Type.Object({
  id: Type.String({ format: 'uuid' }),
  orgId: Type.String({ format: 'uuid' }),
  provider: stringEnum(PROVIDERS, '`sandbox` is the built-in provider that needs no account.'),
  name: Type.String(),
  baseUrl: nullable(Type.String({ description: "The provider API's address; null for the sandbox." })),
  keyHint: nullable(Type.String({ description: "The key's last 4 characters; null for the sandbox." })),
  providerAccountId: nullable(
    Type.String({ description: "The provider account the key reaches (Vapi's `orgId`), once known." }),
  ),
  status: stringEnum(
    STATUSES,
    '`invalid`: the provider refused the key (an admin must update it); `unreachable`: the last check got no answer.',
  ),
  checkedAt: nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: nullable(Type.String({ format: 'uuid' })),
  isDefault: Type.Boolean({
    description: 'New and imported assistants go here when a request names no connection.',
  }),
});

const ConnectionCreate = Type.Object(
  {
    provider: stringEnum(PROVIDERS),
    name,
    apiKey: Type.Optional(apiKey),
    baseUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        maxLength: 500,
        description:
          "Another address for the provider's API: a region, a proxy, an emulator. Defaults to the provider's public API.",
      }),
    ),
  },
  { additionalProperties: false },
);

const ConnectionUpdate = Type.Object(
  { name: Type.Optional(name), apiKey: Type.Optional(apiKey) },
  {
    additionalProperties: false,
    description: 'A new `apiKey` is a rotation: checked first, and refused for another provider account.',
  },
);

const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });
const ConnectionParams = Type.Object({
  orgId: Type.String({ format: 'uuid' }),
  connectionId: Type.String({ format: 'uuid' }),
});
const tags = ['Connections'];

function toConnectionResponse(row: ConnectionView) {
  return {
    id: row.id,
    orgId: row.orgId,
    provider: row.provider as (typeof PROVIDERS)[number],
    name: row.name,
    baseUrl: row.baseUrl,
    keyHint: row.keyHint,
    providerAccountId: row.providerAccountId,
    status: row.status as (typeof STATUSES)[number],
    checkedAt: row.checkedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    isDefault: row.isDefault,
  };
}

export const connectionRoutes: FastifyPluginAsyncTypebox<{
  connections: ConnectionService;
  guards: Guards;
}> = async (app, { connections, guards }) => {
  const common = { preValidation: guards.signedIn } as const;

  app.get(
    '/orgs/:orgId/connections',
    {
      ...common,
      schema: {
        tags,
        summary: "The organization's connections (viewer)",
        security: COOKIE_SECURITY,
        params: OrgParams,
        response: { 200: Type.Array(Connection), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      (await connections.list(userCallerOf(request), request.params.orgId)).map(toConnectionResponse),
  );

  // For API keys, which act in their own organization only (the `switchboard` command's --connection).
  app.get(
    '/connections',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags,
        summary: 'The connections of the organization the request acts in (viewer; a session or an API key)',
        security: SESSION_OR_KEY_SECURITY,
        response: { 200: Type.Array(Connection), ...errors(401, 403) },
      },
    },
    async (request) => (await connections.listForActor(actorOf(request))).map(toConnectionResponse),
  );

  app.get(
    '/orgs/:orgId/connections/:connectionId',
    {
      ...common,
      schema: {
        tags,
        summary: 'One connection (viewer)',
        security: COOKIE_SECURITY,
        params: ConnectionParams,
        response: { 200: Connection, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      toConnectionResponse(
        await connections.get(userCallerOf(request), request.params.orgId, request.params.connectionId),
      ),
  );

  app.post(
    '/orgs/:orgId/connections',
    {
      ...common,
      schema: {
        tags,
        summary: 'Connect a provider account (admin)',
        description:
          'The key is checked with one cheap read first (Vapi: `GET /assistant?limit=1`). A refused key is a 400 `provider_key_rejected`, an unreachable provider a 400 `provider_unreachable`; either way nothing is stored.',
        security: COOKIE_SECURITY,
        params: OrgParams,
        body: ConnectionCreate,
        response: { 201: Connection, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          toConnectionResponse(
            await connections.create(userCallerOf(request), request.params.orgId, request.body),
          ),
        ),
  );

  app.patch(
    '/orgs/:orgId/connections/:connectionId',
    {
      ...common,
      schema: {
        tags,
        summary: 'Rename a connection or rotate its key (admin)',
        description:
          'A key of another provider account is a 409 `different_provider_account` while both accounts are known.',
        security: COOKIE_SECURITY,
        params: ConnectionParams,
        body: ConnectionUpdate,
        response: { 200: Connection, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toConnectionResponse(
        await connections.update(
          userCallerOf(request),
          request.params.orgId,
          request.params.connectionId,
          request.body,
        ),
      ),
  );

  app.delete(
    '/orgs/:orgId/connections/:connectionId',
    {
      ...common,
      schema: {
        tags,
        summary: 'Remove a connection (admin)',
        description: 'A connection that assistants still use is a 409 `connection_in_use`.',
        security: COOKIE_SECURITY,
        params: ConnectionParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await connections.delete(userCallerOf(request), request.params.orgId, request.params.connectionId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/orgs/:orgId/connections/:connectionId/check',
    {
      ...common,
      schema: {
        tags,
        summary: "Check the connection's key with one cheap read (admin)",
        description: 'Answers with the connection and its new `status`.',
        security: COOKIE_SECURITY,
        params: ConnectionParams,
        response: { 200: Connection, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      toConnectionResponse(
        await connections.check(userCallerOf(request), request.params.orgId, request.params.connectionId),
      ),
  );

  app.post(
    '/orgs/:orgId/connections/:connectionId/default',
    {
      ...common,
      schema: {
        tags,
        summary: "Make it the organization's default connection (admin)",
        security: COOKIE_SECURITY,
        params: ConnectionParams,
        response: { 200: Connection, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      toConnectionResponse(
        await connections.makeDefault(
          userCallerOf(request),
          request.params.orgId,
          request.params.connectionId,
        ),
      ),
  );
};
