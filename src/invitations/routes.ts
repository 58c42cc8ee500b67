// Thin routes for invitations (SPEC section 11): parse, call the service, map. Tokens arrive in
// paths and leave only in a link (by email, or once to the inviting admin); the log masks them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { setSessionCookie } from '../auth/session-cookie.ts';
import type { SessionContext } from '../auth/session-repository.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors.ts';
import { type Guards, SESSION_COOKIE, userCallerOf } from '../http/authenticate.ts';
import { linkOrigin, redirectBrowserToPage } from '../http/links.ts';
import { COOKIE_SECURITY, errorResponse, errors, jsonResponse, PUBLIC } from '../http/schemas.ts';
import type { InvitationService, InvitationView } from './invitation-service.ts';
import {
  AcceptedInvitationSchema,
  AcceptInvitationBody,
  CreatedInvitationSchema,
  CreateInvitationBody,
  InvitationParams,
  InvitationPreviewSchema,
  InvitationSchema,
  OrgParams,
  TokenParams,
} from './schemas.ts';

const tags = ['Invitations'];
const GONE = errorResponse(
  410,
  'The invitation was used, revoked or has expired, or its sender can no longer grant the role (`code: invitation_gone`).',
);

export interface InvitationRouteOptions {
  invitations: InvitationService;
  guards: Guards;
  config: Pick<Config, 'cookieSecure' | 'sessionTtlHours' | 'publicUrl'>;
}

function toInvitation(view: InvitationView): Static<typeof InvitationSchema> {
  return { ...view, createdAt: view.createdAt.toISOString(), expiresAt: view.expiresAt.toISOString() };
}

export const invitationRoutes: FastifyPluginAsyncTypebox<InvitationRouteOptions> = async (
  app,
  { invitations, guards, config },
) => {
  /** The signed-in user, if the request carries a valid session; accepting works without one. */
  async function optionalSession(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<SessionContext | null> {
    if (!request.cookies[SESSION_COOKIE]) return null;
    try {
      await guards.signedIn.call(app, request, reply);
      return request.session;
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 401) return null;
      throw error;
    }
  }

  app.post(
    '/orgs/:orgId/invitations',
    {
      preValidation: guards.signedIn,
      schema: {
        tags,
        summary: 'Invite someone by email (admin; only owners invite owners)',
        description:
          'Makes a single-use link that expires after `INVITATION_TTL_HOURS`. With email set up (`SMTP_URL`, `MAIL_FROM`) it is sent to the address and never shown here; without, the answer carries it as `acceptUrl`. The answer is the same whether or not the email has an account.',
        security: COOKIE_SECURITY,
        params: OrgParams,
        body: CreateInvitationBody,
        response: {
          201: CreatedInvitationSchema,
          ...errors(400, 401, 403, 404),
          409: errorResponse(409, 'The email is already a member (`code: already_member`).'),
          500: errorResponse(500, 'The invitation email could not be sent (`code: mail_failed`).'),
        },
      },
    },
    async (request, reply) => {
      const created = await invitations.create(
        userCallerOf(request),
        request.params.orgId,
        request.body,
        linkOrigin(config.publicUrl, request),
      );
      return reply.code(201).send({ ...toInvitation(created), acceptUrl: created.acceptUrl });
    },
  );

  app.get(
    '/orgs/:orgId/invitations',
    {
      preValidation: guards.signedIn,
      schema: {
        tags,
        summary: 'Pending invitations (admin), newest first; no links',
        security: COOKIE_SECURITY,
        params: OrgParams,
        response: { 200: Type.Array(InvitationSchema), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      (await invitations.listPending(userCallerOf(request), request.params.orgId)).map(toInvitation),
  );

  app.delete(
    '/orgs/:orgId/invitations/:invitationId',
    {
      preValidation: guards.signedIn,
      schema: {
        tags,
        summary: 'Revoke a pending invitation (admin); its link stops working at once',
        security: COOKIE_SECURITY,
        params: InvitationParams,
        response: {
          204: Type.Null(),
          ...errors(400, 401, 403, 404),
          409: errorResponse(409, 'Already accepted, revoked or expired (`code: invitation_not_pending`).'),
        },
      },
    },
    async (request, reply) => {
      await invitations.revoke(userCallerOf(request), request.params.orgId, request.params.invitationId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/invitations/:token',
    {
      schema: {
        tags,
        summary: 'What an invitation offers (anyone holding its link)',
        description:
          'A browser that opens the link (asking for `text/html`) is redirected (303) to the dashboard’s page for it.',
        security: PUBLIC,
        params: TokenParams,
        response: { 200: InvitationPreviewSchema, ...errors(400, 404), 410: GONE },
      },
    },
    async (request, reply) => {
      if (redirectBrowserToPage(request, reply, `/invitations/${request.params.token}`)) return reply;
      const preview = await invitations.preview(request.params.token);
      return { ...preview, expiresAt: preview.expiresAt.toISOString() };
    },
  );

  app.post(
    '/invitations/:token/accept',
    {
      // Signed in as the invited email, there is nothing to send.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Accept an invitation',
        description:
          'Signed in as the invited email: you join (200). When the invited email has no account: `name` and `password` create it, you join and are signed in (201, sets the `auth-token` cookie). When the email has an account, anyone else, signed in or not, gets 403: sign in as that email first.',
        security: [{}, { cookieAuth: [] }],
        params: TokenParams,
        body: AcceptInvitationBody,
        response: {
          200: AcceptedInvitationSchema,
          201: jsonResponse('The account was created, joined, and signed in.', AcceptedInvitationSchema),
          ...errors(400, 403, 404),
          409: errorResponse(409, 'Already a member (`code: already_member`).'),
          410: GONE,
        },
      },
    },
    async (request, reply) => {
      const session = await optionalSession(request, reply);
      const accepted = await invitations.accept(
        request.params.token,
        { session, requestId: request.id },
        request.body ?? {},
      );
      if (!accepted.sessionToken) return { user: accepted.user, membership: accepted.membership };
      setSessionCookie(reply, accepted.sessionToken, config);
      return reply.code(201).send({ user: accepted.user, membership: accepted.membership });
    },
  );
};
