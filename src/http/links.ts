// Links that carry a one-time token (invitations, password resets): where they point, how a
// browser that opens one reaches the dashboard's page for it, and how the token stays out of the log.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The origin the caller used: behind a trusted proxy (TRUST_PROXY), the forwarded one. */
export function requestOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** PUBLIC_URL when it is set (a Host header cannot then steer a link elsewhere), else the caller's origin. */
export function linkOrigin(publicUrl: string | undefined, request: FastifyRequest): string {
  return publicUrl ?? requestOrigin(request);
}

export function invitationLink(origin: string, token: string): string {
  return `${origin}/invitations/${token}`;
}

export function passwordResetLink(origin: string, token: string): string {
  return `${origin}/reset-password/${token}`;
}

/**
 * A browser opening a link asks for a page; the dashboard routes with the URL hash, so it is sent
 * there (the fragment never reaches a server or a Referer). Returns whether it redirected.
 */
export function redirectBrowserToPage(request: FastifyRequest, reply: FastifyReply, route: string): boolean {
  const accept = request.headers.accept ?? '';
  if (!accept.includes('text/html')) return false;
  void reply.code(303).header('location', `/#${route}`).send();
  return true;
}

/** Paths whose last segment is a link's token. */
const TOKEN_PATH = /^(\/(?:invitations|reset-password|auth\/password-reset)\/)[^/?#]+/;

/** The URL with a link's token replaced, for the log. */
export function maskLinkToken(url: string): string {
  return url.replace(TOKEN_PATH, '$1<token>');
}

/** Fastify's request log fields, with the URL's token masked. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: maskLinkToken(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
