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
    parseJson(request, text, (error, value) => {
      // Fastify says "not valid JSON" for both; JSON that parses was refused for its keys.
      if (error && parsesAsJson(text)) return done(new ForbiddenKeyError(), undefined);
      done(error, value);
    });
  });
}

/** Valid JSON with a key that could reach an object's prototype (`__proto__`, `constructor.prototype`). */
export class ForbiddenKeyError extends Error {
  readonly code = 'FORBIDDEN_KEY';
  readonly statusCode = 400;
  constructor() {
    super('The body may not use the key "__proto__", or "prototype" inside "constructor"');
  }
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
