import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type Database, pingDatabase } from '../db/database.ts';
import { errors, PUBLIC } from './schemas.ts';

const Status = Type.Object({ status: Type.String() });

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['Health'],
        summary: 'Liveness: the process answers',
        security: PUBLIC,
        response: { 200: Status },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['Health'],
        summary: 'Readiness: the database answers',
        security: PUBLIC,
        response: { 200: Status, ...errors(503) },
      },
    },
    async (request, reply) => {
      try {
        await pingDatabase(db);
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply
          .code(503)
          .send({ message: 'The database is not reachable', code: 'database_unavailable' });
      }
    },
  );
};
