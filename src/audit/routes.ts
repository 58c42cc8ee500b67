import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { type Guards, userCallerOf } from '../http/authenticate.ts';
import { COOKIE_SECURITY, errors, nullable, stringEnum } from '../http/schemas.ts';
import type { OrgService } from '../orgs/org-service.ts';
import {
  AUDIT_ACTIONS,
  AUDIT_TARGET_TYPES,
  type AuditAction,
  type AuditLog,
  type AuditTargetType,
  type NamedAuditEventRow,
} from './audit-log.ts';

const AuditEntry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  at: Type.String({ format: 'date-time' }),
  action: stringEnum(AUDIT_ACTIONS),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  actor: Type.Object({
    type: Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('system')], {
      description:
        '`system` is Switchboard itself, e.g. the reconciler finding a change made at the provider.',
    }),
    id: nullable(Type.String()),
    label: nullable(Type.String({ description: 'Email or key name at the time.' })),
  }),
  target: Type.Object({
    type: stringEnum(AUDIT_TARGET_TYPES),
    id: nullable(Type.String()),
    label: nullable(
      Type.String({
        description:
          "The target's name now (an assistant's or connection's name, a user's or invitation's email, a key's name); null when it has none or is gone.",
      }),
    ),
  }),
  requestId: nullable(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown(), {
    description: 'What changed (roles, changed paths, versions), or `error` with the reason it failed.',
  }),
});

const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  nextCursor: nullable(Type.String({ description: 'Pass as `cursor` for older events.' })),
});

const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    targetId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Only events about this target id.' }),
    ),
    actorId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Only events by this user or API key.' }),
    ),
    actor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "Only events whose actor's email or key name contains this text (any case).",
      }),
    ),
    target: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "Only events whose target's name or email contains this text (any case).",
      }),
    ),
    action: Type.Optional(stringEnum(AUDIT_ACTIONS, 'Only events of this action.')),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'Only events at or after this moment.' }),
    ),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'Only events before this moment.' }),
    ),
  },
  { additionalProperties: false },
);

function toAuditEntry(row: NamedAuditEventRow): Static<typeof AuditEntry> {
  const actorType = row.actorApiKeyId ? 'api_key' : row.actorUserId || row.actorLabel ? 'user' : 'system';
  return {
    id: row.id,
    at: row.createdAt.toISOString(),
    action: row.action as AuditAction,
    outcome: row.outcome as 'success' | 'failure',
    actor: { type: actorType, id: row.actorApiKeyId ?? row.actorUserId, label: row.actorLabel },
    target: { type: row.targetType as AuditTargetType, id: row.targetId, label: row.targetLabel },
    requestId: row.requestId,
    detail: row.detail,
  };
}

export const auditRoutes: FastifyPluginAsyncTypebox<{
  audit: AuditLog;
  orgs: OrgService;
  guards: Guards;
}> = async (app, { audit, orgs, guards }) => {
  app.get(
    '/orgs/:orgId/audit',
    {
      preValidation: guards.signedIn,
      schema: {
        tags: ['Audit'],
        summary: "The organization's audit log, newest first (admin)",
        security: COOKIE_SECURITY,
        params: Type.Object({ orgId: Type.String({ format: 'uuid' }) }),
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      await orgs.requireRole(userCallerOf(request), orgId, 'admin');
      const { since, until, ...query } = request.query;
      const page = await audit.page(orgId, {
        ...query,
        limit: query.limit ?? 50,
        since: since === undefined ? undefined : new Date(since),
        until: until === undefined ? undefined : new Date(until),
      });
      return { items: page.items.map(toAuditEntry), nextCursor: page.nextCursor };
    },
  );
};
