// Who is calling: the `auth-token` cookie resolved to a session, and the caller's role in the
// session's active organization, checked per route.
import type { FastifyReply, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { Actor } from '../assistants/assistant-service.ts';
import type { SessionContext, SessionRepository } from '../auth/session-repository.ts';
import { hashToken } from '../auth/tokens.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { type Role, roleAtLeast } from '../orgs/roles.ts';

export const SESSION_COOKIE = 'auth-token';

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionContext | null;
    actor: (Actor & { role: Role }) | null;
  }
}

export interface Guards {
  /** Any signed-in user. */
  signedIn: preValidationAsyncHookHandler;
  /** A member of the active organization holding at least `role`. */
  role(role: Role): preValidationAsyncHookHandler;
}

export function createGuards(sessions: SessionRepository): Guards {
  async function resolveSession(request: FastifyRequest): Promise<SessionContext> {
    if (request.session) return request.session;
    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await sessions.resolve(hashToken(token)) : undefined;
    if (!session) throw unauthorized();
    request.session = session;
    return session;
  }

  return {
    signedIn: async (request: FastifyRequest, _reply: FastifyReply) => {
      await resolveSession(request);
    },
    role: (minimum: Role) => async (request: FastifyRequest, _reply: FastifyReply) => {
      const session = await resolveSession(request);
      if (!session.activeOrgId || !session.role) {
        throw forbidden(
          'You are not a member of an active organization; choose one with POST /auth/active-org',
        );
      }
      if (!roleAtLeast(session.role, minimum)) {
        throw forbidden(`This needs the ${minimum} role in the organization; you are ${session.role}`);
      }
      request.actor = { userId: session.userId, orgId: session.activeOrgId, role: session.role };
    },
  };
}

/** The session a guard resolved; a route without the guard is a programming error. */
export function sessionOf(request: FastifyRequest): SessionContext {
  if (!request.session) throw unauthorized();
  return request.session;
}

export function actorOf(request: FastifyRequest): Actor & { role: Role } {
  if (!request.actor) throw unauthorized();
  return request.actor;
}
