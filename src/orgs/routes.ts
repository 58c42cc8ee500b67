import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../errors.ts';
import { actorOf, type Guards, userCallerOf } from '../http/authenticate.ts';
import { COOKIE_SECURITY, errorResponse, errors, PUBLIC, SESSION_OR_KEY_SECURITY } from '../http/schemas.ts';
import type { OrgService } from './org-service.ts';
import { OrgMembershipSchema, RoleSchema } from './schemas.ts';

const Member = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
});

const WhoAmI = Type.Object({
  ...OrgMembershipSchema.properties,
  actor: Type.String({ description: "The signed-in user's email, or the API key's name." }),
  apiKeyId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The API key the request was made with; null for a session.',
  }),
});

const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });
const MemberParams = Type.Object({
  orgId: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
});
const tags = ['Organizations'];

export const orgRoutes: FastifyPluginAsyncTypebox<{ orgs: OrgService; guards: Guards }> = async (
  app,
  { orgs, guards },
) => {
  const common = { preValidation: guards.signedIn };

  app.get(
    '/orgs',
    {
      ...common,
      schema: {
        tags,
        summary: 'My organizations',
        security: COOKIE_SECURITY,
        response: { 200: Type.Array(OrgMembershipSchema), ...errors(401) },
      },
    },
    async (request) => orgs.listOrgs(userCallerOf(request)),
  );

  app.get(
    '/whoami',
    {
      preValidation: guards.role('viewer'),
      schema: {
        tags,
        summary: 'Who the request acts as, in which organization and with which role',
        description:
          'A session acts in its active organization, an API key in its own: how a script (the `switchboard` command) learns where its key reaches.',
        security: SESSION_OR_KEY_SECURITY,
        response: { 200: WhoAmI, ...errors(401, 403) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return { ...(await orgs.membershipOf(actor)), actor: actor.label, apiKeyId: actor.apiKeyId };
    },
  );

  app.post(
    '/orgs',
    {
      ...common,
      schema: {
        tags,
        summary: 'Create an organization (the caller becomes its owner)',
        security: COOKIE_SECURITY,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: { 201: OrgMembershipSchema, ...errors(400, 401) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await orgs.createOrg(userCallerOf(request), request.body.name.trim())),
  );

  app.get(
    '/orgs/:orgId/members',
    {
      ...common,
      schema: {
        tags,
        summary: 'List members (admin)',
        security: COOKIE_SECURITY,
        params: OrgParams,
        response: { 200: Type.Array(Member), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => orgs.listMembers(userCallerOf(request), request.params.orgId),
  );

  // People join by invitation only (SPEC section 11); the old route says where to go instead.
  app.post(
    '/orgs/:orgId/members',
    {
      schema: {
        tags,
        summary: 'Gone: invite people instead (POST /orgs/{orgId}/invitations)',
        description:
          'Adding a member by email and password is no longer possible: nobody sets another person’s password. Invite them with `POST /orgs/{orgId}/invitations`; they choose their own password when they accept.',
        deprecated: true,
        security: PUBLIC,
        params: OrgParams,
        response: {
          410: errorResponse(410, 'Always: members join by invitation (`code: use_invitations`).'),
        },
      },
    },
    async (request) => {
      throw new AppError(
        410,
        'use_invitations',
        `Members join by invitation now: POST /orgs/${request.params.orgId}/invitations {email, role}`,
      );
    },
  );

  app.patch(
    '/orgs/:orgId/members/:userId',
    {
      ...common,
      schema: {
        tags,
        summary: "Change a member's role (admin); the last owner cannot be demoted",
        security: COOKIE_SECURITY,
        params: MemberParams,
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: { 200: Member, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      orgs.changeRole(userCallerOf(request), request.params.orgId, request.params.userId, request.body.role),
  );

  app.delete(
    '/orgs/:orgId/members/:userId',
    {
      ...common,
      schema: {
        tags,
        summary: 'Remove a member (admin); the last owner cannot be removed',
        security: COOKIE_SECURITY,
        params: MemberParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await orgs.removeMember(userCallerOf(request), request.params.orgId, request.params.userId);
      return reply.code(204).send(null);
    },
  );
};
