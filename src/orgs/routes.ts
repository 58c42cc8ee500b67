import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type Guards, userCallerOf } from '../http/authenticate.ts';
import { COOKIE_SECURITY, errors, stringEnum } from '../http/schemas.ts';
import type { OrgService } from './org-service.ts';
import { ROLES } from './roles.ts';

export const RoleSchema = stringEnum(
  ROLES,
  'viewer < editor < admin < owner; each includes the one below it.',
);

export const OrgMembershipSchema = Type.Object({
  orgId: Type.String({ format: 'uuid' }),
  orgName: Type.String(),
  role: RoleSchema,
});

const Member = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
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

  app.post(
    '/orgs/:orgId/members',
    {
      ...common,
      schema: {
        tags,
        summary: 'Add a member (admin); creates the user when the email is new',
        security: COOKIE_SECURITY,
        params: OrgParams,
        body: Type.Object(
          {
            email: Type.String({ format: 'email', maxLength: 320 }),
            role: RoleSchema,
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            password: Type.Optional(
              Type.String({
                minLength: 8,
                maxLength: 1024,
                description: 'Required when the email has no user yet.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Member, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await orgs.addMember(userCallerOf(request), request.params.orgId, request.body)),
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
