// Cross-site request forgery: a state-changing request that a browser says comes from another
// site is refused. Requests without Origin or Referer (scripts, curl) are not browsers' and pass,
// and so do those with an API key: a browser never attaches an Authorization header by itself, and
// another site cannot add one without a CORS preflight, which this server does not allow.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from '../errors.ts';
import { bearerToken } from './authenticate.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerCsrfCheck(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  // Callback-style: it runs on every request, and an async hook costs a promise each.
  app.addHook('onRequest', (request, _reply, done) => done(crossSiteRefusal(request, allowed)));
}

function crossSiteRefusal(request: FastifyRequest, allowed: ReadonlySet<string>) {
  if (SAFE_METHODS.has(request.method) || bearerToken(request)) return undefined;
  const origin = requestOrigin(request);
  if (origin === undefined) return undefined;
  if (origin === `${request.protocol}://${request.host}` || allowed.has(origin)) return undefined;
  return forbidden(`Cross-site request refused: origin ${origin} may not change data here`);
}

function requestOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin) return origin;
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'invalid-referer';
  }
}
