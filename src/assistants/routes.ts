// Thin routes: parse, call the service, map. The rules live in assistant-service.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AssistantRow } from '../db/schema.ts';
import { actorOf, type Guards } from '../http/authenticate.ts';
import { errorResponse, errors, jsonResponse, SESSION_OR_KEY_SECURITY } from '../http/schemas.ts';
import type { AssistantService } from './assistant-service.ts';
import { etagOf, toAssistantResponse } from './mapper.ts';
import {
  ASSISTANT_BODY_LIMIT,
  Assistant,
  AssistantCreate,
  AssistantIdParams,
  AssistantList,
  AssistantListQuery,
  AssistantPatch,
  IfMatchHeaders,
} from './schemas.ts';

const tags = ['Assistants'];

/**
 * A stored row's JSON is the same for every caller of one route, so it is serialized once per row
 * and response schema (the JSON depends on both); the read cache hands out the same row until the
 * assistant changes. Rows are never modified in place.
 */
const serialized = new WeakMap<object, WeakMap<AssistantRow, string>>();
const NO_SCHEMA = {};

/** Every answer that is one assistant carries its ETag, for a later If-Match. */
export function sendAssistant(reply: FastifyReply, row: AssistantRow) {
  const status = String(reply.statusCode);
  const responses = reply.request.routeOptions.schema?.response as Record<string, object> | undefined;
  const schema = responses?.[status] ?? NO_SCHEMA;
  let byRow = serialized.get(schema);
  if (!byRow) {
    byRow = new WeakMap();
    serialized.set(schema, byRow);
  }
  let body = byRow.get(row);
  if (body === undefined) {
    body = reply.serializeInput(toAssistantResponse(row), status, 'application/json') as string;
    byRow.set(row, body);
  }
  return reply.header('etag', etagOf(row)).type('application/json; charset=utf-8').send(body);
}
const ETAG_HEADER = {
  etag: { type: 'string', description: 'Pass as If-Match to update conditionally.' },
};
const withEtag = (description: string) => jsonResponse(description, Assistant, ETAG_HEADER);

export const assistantRoutes: FastifyPluginAsyncTypebox<{
  assistants: AssistantService;
  guards: Guards;
}> = async (app, { assistants, guards }) => {
  app.get(
    '/assistants',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags,
        summary: "The active organization's assistants, newest first",
        security: SESSION_OR_KEY_SECURITY,
        querystring: AssistantListQuery,
        response: { 200: AssistantList, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const page = await assistants.list(actorOf(request), request.query);
      return { items: page.items.map(toAssistantResponse), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/assistants',
    {
      bodyLimit: ASSISTANT_BODY_LIMIT,
      preValidation: guards.role('editor'),
      schema: {
        tags,
        summary: 'Create an assistant',
        description: 'Creates the assistant at the external provider, then stores it locally.',
        security: SESSION_OR_KEY_SECURITY,
        body: AssistantCreate,
        response: {
          201: withEtag('The assistant, as the provider confirmed it.'),
          ...errors(400, 401, 403, 415, 500),
        },
      },
    },
    async (request, reply) => {
      const row = await assistants.create(actorOf(request), request.body);
      return sendAssistant(reply.code(201), row);
    },
  );

  app.get(
    '/assistants/:id',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags,
        summary: 'One assistant',
        security: SESSION_OR_KEY_SECURITY,
        params: AssistantIdParams,
        response: { 200: withEtag('The assistant.'), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const row = await assistants.get(actorOf(request), request.params.id);
      return sendAssistant(reply, row);
    },
  );

  app.patch(
    '/assistants/:id',
    {
      bodyLimit: ASSISTANT_BODY_LIMIT,
      preValidation: guards.role('editor'),
      schema: {
        tags,
        summary: 'Update an assistant',
        description:
          'Updates an existing assistant in both the external provider and the local database using a partial configuration payload.\n\n' +
          'Nested objects merge field by field; `null` clears an optional field. The provider is called first; if it refuses or fails, nothing is stored.',
        security: SESSION_OR_KEY_SECURITY,
        params: AssistantIdParams,
        headers: IfMatchHeaders,
        body: AssistantPatch,
        response: {
          200: withEtag('Assistant updated successfully.'),
          ...errors(400, 403, 409, 412, 415),
          // The seed's words; a caller whose role lacks the permission gets the 403 beside it.
          401: errorResponse(401, 'Not authenticated or lacking permission to update agents.'),
          404: errorResponse(404, 'Assistant not found.'),
          500: errorResponse(500, 'Error updating assistant or communicating with the external provider.'),
        },
      },
    },
    async (request, reply) => {
      const row = await assistants.update(
        actorOf(request),
        request.params.id,
        request.body,
        request.headers['if-match'],
      );
      return sendAssistant(reply, row);
    },
  );

  app.delete(
    '/assistants/:id',
    {
      preValidation: guards.role('admin'),
      schema: {
        tags,
        summary: 'Delete an assistant',
        description: 'Deletes the assistant at the provider, then locally.',
        security: SESSION_OR_KEY_SECURITY,
        params: AssistantIdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409, 500) },
      },
    },
    async (request, reply) => {
      await assistants.delete(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
