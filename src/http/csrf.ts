// Cross-site request forgery: a state-changing request that a browser says comes from another
// site is refused. Requests without Origin or Referer (scripts, curl) are not browsers' and pass,
// and so do those an API key authenticated: a browser never attaches an Authorization header by
// itself. Only a key that actually authenticated counts; a mere Authorization header next to a
// session cookie does not. Behind TRUST_PROXY, the request's own origin is the forwarded one.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AppError, forbidden } from '../errors.ts';
import { bearerToken } from './authenticate.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** A cross-site refusal that stands unless an API key authenticates the request. */
    crossSiteUnlessKey: AppError | undefined;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerCsrfCheck(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  app.decorateRequest('crossSiteUnlessKey', undefined);
  // Callback-style: they run on every request, and an async hook costs a promise each.
  app.addHook('onRequest', (request, _reply, done) => {
    const refusal = crossSiteRefusal(request, allowed);
    if (refusal && bearerToken(request)) {
      // Decided once the guards have run: only an authenticated key lifts it.
      request.crossSiteUnlessKey = refusal;
      return done();
    }
    done(refusal);
  });
  app.addHook('preHandler', (request, _reply, done) => {
    done(request.crossSiteUnlessKey && !request.actor?.apiKeyId ? request.crossSiteUnlessKey : undefined);
  });
}

function crossSiteRefusal(request: FastifyRequest, allowed: ReadonlySet<string>) {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const origin = requestOrigin(request);
  if (origin === undefined) return undefined;
  if (origin === ownOrigin(request) || allowed.has(origin)) return undefined;
  if (origin === UNREADABLE)
    return forbidden(
      `Cross-site request refused: an origin that is not an address ("${request.headers.origin ?? request.headers.referer}", as a sandboxed page or a redirect sends) may not change data here`,
    );
  return forbidden(`Cross-site request refused: origin ${origin} may not change data here`);
}

/** The origin this request was sent to, written as a browser writes one (no default port). */
function ownOrigin(request: FastifyRequest): string {
  try {
    return new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return 'invalid-host';
  }
}

/** What `requestOrigin` answers for an Origin (or Referer) that is not an address, such as `null`. */
const UNREADABLE = 'unreadable';

/** The Origin header, or the Referer's origin, written as a URL writes one (default ports dropped). */
function requestOrigin(request: FastifyRequest): string | undefined {
  const claimed = request.headers.origin || request.headers.referer;
  if (!claimed) return undefined;
  try {
    const { origin } = new URL(claimed);
    // A URL without a host (`data:`, `file:`) has the opaque origin "null" too.
    return origin === 'null' ? UNREADABLE : origin;
  } catch {
    return UNREADABLE;
  }
}
