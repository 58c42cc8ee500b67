// Thin routes for long work: import, bulk changes and the jobs that run them (SPEC sections 6 and 12).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toAssistantResponse } from '../assistants/mapper.ts';
import { Assistant, ImportRequest } from '../assistants/schemas.ts';
import { actorOf, type Guards } from '../http/authenticate.ts';
import { errors, jsonResponse, SESSION_OR_KEY_SECURITY } from '../http/schemas.ts';
import { type JobService, toJobResponse } from './job-service.ts';
import {
  BULK_BODY_LIMIT,
  BulkPreview,
  BulkRequest,
  Job,
  JobAccepted,
  JobList,
  JobListQuery,
  JobParams,
} from './schemas.ts';

const tags = ['Jobs'];

export const jobRoutes: FastifyPluginAsyncTypebox<{ jobs: JobService; guards: Guards }> = async (
  app,
  { jobs, guards },
) => {
  app.post(
    '/assistants/import',
    {
      preValidation: guards.role('editor'),
      schema: {
        tags: ['History and sync'],
        summary: 'Bring assistants that exist only at the provider under the organization',
        description:
          'With `providerAssistantId`: 201 with the new assistant, or 200 with the one already imported. With `all: true`: 202 with the job that imports every provider assistant no organization manages yet (follow it at `GET /jobs/{id}`).',
        security: SESSION_OR_KEY_SECURITY,
        body: ImportRequest,
        response: {
          200: jsonResponse('Already imported.', Assistant),
          201: jsonResponse('Imported.', Assistant),
          202: jsonResponse('The import job, queued.', JobAccepted),
          ...errors(400, 401, 403, 404, 409, 500),
        },
      },
    },
    async (request, reply) => {
      const result = await jobs.import(actorOf(request), request.body);
      if ('job' in result) return reply.code(202).send({ job: toJobResponse(result.job) });
      return reply.code(result.created ? 201 : 200).send(toAssistantResponse(result.row));
    },
  );

  app.post(
    '/assistants/bulk',
    {
      bodyLimit: BULK_BODY_LIMIT,
      preValidation: guards.role('editor'),
      schema: {
        tags,
        summary: 'Apply one partial update to many assistants',
        description:
          'The patch is the body of `PATCH /assistants/{id}`; each assistant goes through the same path, as the caller. With `dryRun: true`: 200 with what would change on each assistant, and nothing is sent.',
        security: SESSION_OR_KEY_SECURITY,
        body: BulkRequest,
        response: {
          200: jsonResponse('The dry run: what would change.', BulkPreview),
          202: jsonResponse('The bulk job, queued.', JobAccepted),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const result = await jobs.bulk(actorOf(request), request.body);
      if ('preview' in result) return result.preview;
      return reply.code(202).send({ job: toJobResponse(result.job) });
    },
  );

  app.get(
    '/jobs',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags,
        summary: "The organization's jobs, newest first",
        security: SESSION_OR_KEY_SECURITY,
        querystring: JobListQuery,
        response: { 200: JobList, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const page = await jobs.list(actorOf(request), request.query);
      return { items: page.items.map(toJobResponse), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/jobs/:id',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags,
        summary: 'A job and its progress',
        security: SESSION_OR_KEY_SECURITY,
        params: JobParams,
        response: { 200: Job, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => toJobResponse(await jobs.get(actorOf(request), request.params.id)),
  );

  app.post(
    '/jobs/:id/cancel',
    {
      preValidation: guards.role('editor'),
      schema: {
        tags,
        summary: 'Cancel a queued or running job',
        description:
          'No new item starts, and no provider write follows this answer: it waits for an item already at the provider. A finished job is a 409.',
        security: SESSION_OR_KEY_SECURITY,
        params: JobParams,
        response: { 200: Job, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => toJobResponse(await jobs.cancel(actorOf(request), request.params.id)),
  );
};
