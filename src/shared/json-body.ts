// JSON bodies as Fastify parses them (prototype-poisoning protection included), except that an
// empty body is no body: many HTTP clients send `content-type: application/json` on a DELETE with
// nothing after it, and Vapi accepts that, where Fastify would answer 400.
import type { FastifyInstance } from 'fastify';

export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') return done(null, undefined);
    parseJson(request, text, done);
  });
}
