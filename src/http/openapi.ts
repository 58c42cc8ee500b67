// The OpenAPI 3.1 document, generated from the same TypeBox schemas that validate requests,
// served at /openapi.json with a browsable reference at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { errorResponse, sizeWords } from './schemas.ts';

const COOKIE_AUTH_DESCRIPTION = [
  'Authentication is handled via an auth-token HTTP-only cookie set by the /auth/login endpoint.',
  '- In a browser, you typically call /auth/login once and the cookie will be stored and automatically sent on subsequent API requests.',
  '- In API tools (Postman, curl, etc.) you can manually capture the cookie from the Set-Cookie header or configure cookie handling.',
  '',
  'This spec models the cookie using apiKey-style auth for documentation purposes.',
].join('\n');

/**
 * Any route that takes a body answers 413 past its body limit and 415 for a body that is not JSON,
 * before its handler runs (error-handler.ts); each route's entry says so, with its own limit.
 * Registered before the routes, so it sees each of them.
 */
function documentBodyErrors(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { body?: unknown; response?: Record<string, unknown> } | undefined;
    if (!schema?.body) return;
    const bodyLimit = route.bodyLimit ?? app.initialConfig.bodyLimit;
    if (bodyLimit === undefined) return;
    const limit = sizeWords(bodyLimit);
    route.schema = {
      ...schema,
      response: {
        413: errorResponse(413, `The body is larger than ${limit}, the most this route accepts.`),
        415: errorResponse(415),
        ...schema.response,
      },
    };
  });
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  documentBodyErrors(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Switchboard API',
        version: '0.1.0',
        description:
          'Switchboard keeps each voice/chat assistant in step between its own database and the voice platform that runs the calls (Vapi or Retell). Errors always use the envelope `{message, code, details?, requestId}`.',
      },
      servers: [{ url: '/', description: 'This Switchboard server' }],
      tags: [
        { name: 'Auth', description: 'Sessions' },
        { name: 'Organizations', description: 'Organizations and their members' },
        { name: 'Invitations', description: 'How people join an organization: by a single-use link' },
        { name: 'API keys', description: 'Organization API keys for scripts and CI' },
        { name: 'Audit', description: 'Who did what, when, and how it ended' },
        { name: 'Assistants', description: 'Assistants, kept in step with the provider' },
        { name: 'History and sync', description: 'Versions, restore, drift from the provider, import' },
        { name: 'Health', description: 'Probes' },
      ],
      components: {
        securitySchemes: {
          cookieAuth: {
            type: 'apiKey',
            in: 'cookie',
            name: 'auth-token',
            description: COOKIE_AUTH_DESCRIPTION,
          },
          apiKeyAuth: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An organization API key (`sb_…`), created by an admin with `POST /orgs/{orgId}/api-keys`, sent as `Authorization: Bearer sb_…`. It acts in its organization with its role, on the assistant routes only; cross-site checks do not apply to it.',
          },
        },
      },
    },
  });
  // Its page headers, the Content-Security-Policy included, are the server's own (security-headers.ts).
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
