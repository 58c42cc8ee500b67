import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiKeyRow } from '../db/schema.ts';
import { type Guards, userCallerOf } from '../http/authenticate.ts';
import { COOKIE_SECURITY, errors } from '../http/schemas.ts';
import type { Role } from '../orgs/roles.ts';
import { RoleSchema } from '../orgs/schemas.ts';
import type { ApiKeyService } from './api-key-service.ts';

const ApiKey = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  role: RoleSchema,
  prefix: Type.String({ description: 'The first characters of the secret, to tell keys apart.' }),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the key was last used, to the minute; null if never.',
  }),
});

const ApiKeyCreated = Type.Object({
  ...ApiKey.properties,
  secret: Type.String({
    description: 'The key itself (`sb_…`). Shown only in this answer; Switchboard keeps only its hash.',
  }),
});

const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });
const KeyParams = Type.Object({
  orgId: Type.String({ format: 'uuid' }),
  keyId: Type.String({ format: 'uuid' }),
});
const tags = ['API keys'];

function toApiKeyResponse(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: row.displayPrefix,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ apiKeys: ApiKeyService; guards: Guards }> = async (
  app,
  { apiKeys, guards },
) => {
  app.get(
    '/orgs/:orgId/api-keys',
    {
      preValidation: guards.signedIn,
      schema: {
        tags,
        summary: "The organization's API keys that still work (admin)",
        security: COOKIE_SECURITY,
        params: OrgParams,
        response: { 200: Type.Array(ApiKey), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      (await apiKeys.list(userCallerOf(request), request.params.orgId)).map(toApiKeyResponse),
  );

  app.post(
    '/orgs/:orgId/api-keys',
    {
      preValidation: guards.signedIn,
      schema: {
        tags,
        summary: 'Create an API key (admin); its role is at most your own',
        description:
          'The answer carries the secret once. Send it as `Authorization: Bearer sb_…` on the assistant routes.',
        security: COOKIE_SECURITY,
        params: OrgParams,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema },
          { additionalProperties: false },
        ),
        response: { 201: ApiKeyCreated, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { key, secret } = await apiKeys.create(userCallerOf(request), request.params.orgId, {
        name: request.body.name.trim(),
        role: request.body.role,
      });
      return reply.code(201).send({ ...toApiKeyResponse(key), secret });
    },
  );

  app.delete(
    '/orgs/:orgId/api-keys/:keyId',
    {
      preValidation: guards.signedIn,
      schema: {
        tags,
        summary: 'Revoke an API key (admin); it stops working at once',
        security: COOKIE_SECURITY,
        params: KeyParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await apiKeys.revoke(userCallerOf(request), request.params.orgId, request.params.keyId);
      return reply.code(204).send(null);
    },
  );
};
