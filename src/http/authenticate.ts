// Who is calling: the `auth-token` session cookie, or on assistant routes an organization's API
// key as `Authorization: Bearer sb_…`; and whether their role in the organization suffices.
import type { FastifyReply, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { ApiKeyService } from '../api-keys/api-key-service.ts';
import { type Actor, callerOf, type UserCaller } from '../auth/actor.ts';
import type { SessionContext, SessionRepository } from '../auth/session-repository.ts';
import { hashToken } from '../auth/tokens.ts';
import type { Caches } from '../db/caches.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { type Role, roleAtLeast } from '../orgs/roles.ts';

export const SESSION_COOKIE = 'auth-token';

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionContext | null;
    actor: Actor | null;
  }
}

export interface Guards {
  /** Any signed-in user (session cookie only). */
  signedIn: preValidationAsyncHookHandler;
  /** A session member of the active organization, or an API key, holding at least `role`. */
  role(role: Role): preValidationAsyncHookHandler;
}

/** The secret of an `Authorization: Bearer …` header, if the request has one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.trim().split(/\s+/, 2);
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

export function createGuards(sessions: SessionRepository, apiKeys: ApiKeyService, caches: Caches): Guards {
  async function lookUpSession(token: string): Promise<SessionContext | undefined> {
    const tokenHash = hashToken(token);
    const session = await caches.sessions.getOrLoad(tokenHash, () => sessions.resolve(tokenHash));
    return session && session.expiresAt.getTime() > Date.now() ? session : undefined;
  }

  async function resolveSession(request: FastifyRequest): Promise<SessionContext> {
    if (request.session) return request.session;
    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await lookUpSession(token) : undefined;
    if (!session) {
      throw unauthorized(
        !token && bearerToken(request)
          ? 'API keys work on the assistant routes only; this route needs a signed-in session'
          : undefined,
      );
    }
    request.session = session;
    return session;
  }

  function assertRole(role: Role, minimum: Role, who: string): void {
    if (!roleAtLeast(role, minimum)) {
      throw forbidden(`This needs the ${minimum} role in the organization; ${who} ${role}`);
    }
  }

  async function actorFromApiKey(request: FastifyRequest, secret: string, minimum: Role): Promise<Actor> {
    const key = await apiKeys.authenticate(secret);
    if (!key) throw unauthorized('The API key is not valid or has been revoked');
    assertRole(key.role, minimum, 'this API key is');
    return {
      userId: null,
      apiKeyId: key.keyId,
      label: key.name,
      requestId: request.id,
      orgId: key.orgId,
      role: key.role,
    };
  }

  async function actorFromSession(request: FastifyRequest, minimum: Role): Promise<Actor> {
    const session = await resolveSession(request);
    if (!session.activeOrgId || !session.role) {
      throw forbidden(
        'You are not a member of an active organization; choose one with POST /auth/active-org',
      );
    }
    assertRole(session.role, minimum, 'you are');
    return { ...callerOf(session, request.id), orgId: session.activeOrgId, role: session.role };
  }

  return {
    signedIn: async (request: FastifyRequest, _reply: FastifyReply) => {
      await resolveSession(request);
    },
    role: (minimum: Role) => async (request: FastifyRequest, _reply: FastifyReply) => {
      const secret = bearerToken(request);
      request.actor = secret
        ? await actorFromApiKey(request, secret, minimum)
        : await actorFromSession(request, minimum);
    },
  };
}

/** The session a guard resolved; a route without the guard is a programming error. */
export function sessionOf(request: FastifyRequest): SessionContext {
  if (!request.session) throw unauthorized();
  return request.session;
}

/** The signed-in user making the request, for the audit log. */
export function userCallerOf(request: FastifyRequest): UserCaller {
  return callerOf(sessionOf(request), request.id);
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthorized();
  return request.actor;
}
