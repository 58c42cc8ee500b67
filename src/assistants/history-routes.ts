// History, restore and sync with the provider: SPEC section 6. Import is in src/jobs/routes.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, type Guards } from '../http/authenticate.ts';
import { errorResponse, errors, jsonResponse, SESSION_OR_KEY_SECURITY } from '../http/schemas.ts';
import type { AssistantService } from './assistant-service.ts';
import { toVersionResponse } from './mapper.ts';
import { sendAssistant } from './routes.ts';
import {
  Assistant,
  AssistantIdParams,
  AssistantVersionDetail,
  AssistantVersionList,
  IfMatchHeaders,
  VersionListQuery,
  VersionParams,
} from './schemas.ts';

const tags = ['History and sync'];

export const historyRoutes: FastifyPluginAsyncTypebox<{
  assistants: AssistantService;
  guards: Guards;
}> = async (app, { assistants, guards }) => {
  app.get(
    '/assistants/:id/versions',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags,
        summary: "The assistant's confirmed configurations, newest first",
        security: SESSION_OR_KEY_SECURITY,
        params: AssistantIdParams,
        querystring: VersionListQuery,
        response: { 200: AssistantVersionList, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const page = await assistants.listVersions(
        actorOf(request),
        request.params.id,
        request.query.limit ?? 20,
        request.query.before,
      );
      return { items: page.items.map(toVersionResponse), nextBefore: page.nextBefore };
    },
  );

  app.get(
    '/assistants/:id/versions/:n',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags,
        summary: 'One version, with its whole configuration',
        security: SESSION_OR_KEY_SECURITY,
        params: VersionParams,
        response: { 200: AssistantVersionDetail, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const version = await assistants.getVersion(actorOf(request), request.params.id, request.params.n);
      return { ...toVersionResponse(version), config: version.config };
    },
  );

  app.post(
    '/assistants/:id/versions/:n/restore',
    {
      preValidation: guards.role('editor'),
      schema: {
        tags,
        summary: "Make version n's configuration current again",
        description: 'Goes through the same path as a PATCH: validation, provider first, then a new version.',
        security: SESSION_OR_KEY_SECURITY,
        params: VersionParams,
        headers: IfMatchHeaders,
        response: {
          200: jsonResponse('The assistant after the restore.', Assistant),
          ...errors(400, 401, 403, 404, 409, 412, 500),
        },
      },
    },
    async (request, reply) => {
      const row = await assistants.restore(
        actorOf(request),
        request.params.id,
        request.params.n,
        request.headers['if-match'],
      );
      return sendAssistant(reply, row);
    },
  );

  app.post(
    '/assistants/:id/sync',
    {
      preValidation: guards.role('editor'),
      schema: {
        tags,
        summary: 'Read the assistant from the provider and store what it says',
        description: 'A change made outside Switchboard becomes a new version with source `provider`.',
        security: SESSION_OR_KEY_SECURITY,
        params: AssistantIdParams,
        response: {
          200: jsonResponse('The assistant as the provider has it.', Assistant),
          ...errors(401, 403, 409, 500),
          404: errorResponse(
            404,
            'Not found here, or (`code: provider_not_found`) no longer at the provider.',
          ),
        },
      },
    },
    async (request, reply) => {
      const row = await assistants.sync(actorOf(request), request.params.id);
      return sendAssistant(reply, row);
    },
  );
};
