import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../config/config.ts';
import { type Guards, SESSION_COOKIE, sessionOf } from '../http/authenticate.ts';
import { COOKIE_SECURITY, errors, PUBLIC } from '../http/schemas.ts';
import { OrgMembershipSchema } from '../orgs/schemas.ts';
import type { AuthService } from './auth-service.ts';
import { setSessionCookie } from './session-cookie.ts';

const User = Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String(), name: Type.String() });
const Me = Type.Object({
  user: User,
  memberships: Type.Array(OrgMembershipSchema),
  activeOrgId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});

export interface AuthRouteOptions {
  auth: AuthService;
  guards: Guards;
  config: Pick<Config, 'cookieSecure' | 'sessionTtlHours'>;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (
  app,
  { auth, guards, config },
) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['Auth'],
        summary: 'Sign in',
        security: PUBLIC,
        description:
          'Checks the credentials and sets the `auth-token` session cookie (HttpOnly, SameSite=Lax).',
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Me, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const signedIn = await auth.login(request.body.email, request.body.password, request.id, request.ip);
      setSessionCookie(reply, signedIn.token, config);
      return { user: signedIn.user, memberships: signedIn.memberships, activeOrgId: signedIn.activeOrgId };
    },
  );

  app.post(
    '/auth/logout',
    {
      preValidation: guards.signedIn,
      schema: {
        tags: ['Auth'],
        summary: 'Sign out',
        security: COOKIE_SECURITY,
        response: { 204: Type.Null(), ...errors(401) },
      },
    },
    async (request, reply) => {
      await auth.logout(sessionOf(request), request.id);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/password',
    {
      preValidation: guards.signedIn,
      schema: {
        tags: ['Auth'],
        summary: 'Change my password',
        description: 'Ends every other session of the user at once; this one stays signed in.',
        security: COOKIE_SECURITY,
        body: Type.Object(
          {
            currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
            newPassword: Type.String({ minLength: 8, maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await auth.changePassword(
        sessionOf(request),
        request.id,
        request.body.currentPassword,
        request.body.newPassword,
        request.ip,
      );
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      preValidation: guards.signedIn,
      schema: {
        tags: ['Auth'],
        summary: 'The signed-in user',
        security: COOKIE_SECURITY,
        response: { 200: Me, ...errors(401) },
      },
    },
    async (request) => auth.me(sessionOf(request)),
  );

  app.post(
    '/auth/active-org',
    {
      preValidation: guards.signedIn,
      schema: {
        tags: ['Auth'],
        summary: "Switch the session's organization",
        security: COOKIE_SECURITY,
        body: Type.Object({ orgId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        response: { 200: Me, ...errors(400, 401, 404) },
      },
    },
    async (request) => auth.setActiveOrg(sessionOf(request), request.body.orgId),
  );
};
