// The audit log: who did what to which target, when, in which request, and how it ended.
// A successful change writes its event in the same transaction as the change (`writeAudit`), so
// one is never stored without the other; a failed attempt changes nothing and is written alone.

import {
  and,
  desc,
  eq,
  getTableColumns,
  gte,
  lt,
  type SQL,
  type Subquery,
  sql,
  type WithSubquery,
} from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Caller } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import { olderThan } from '../db/keyset.ts';
import { type AuditEventRow, auditEvents } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { decodeCursor, encodeCursor, toPage } from '../shared/cursor.ts';
import { actorNamed, targetLabel, targetNamed } from './target-names.ts';

export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.password_changed',
  'auth.password_reset',
  'org.created',
  /** Written before invitations (SPEC section 11) replaced adding members directly; older logs keep it. */
  'member.added',
  'member.role_changed',
  'member.removed',
  'api_key.created',
  'api_key.revoked',
  'assistant.created',
  'assistant.updated',
  'assistant.deleted',
  'assistant.restored',
  'assistant.synced',
  'assistant.imported',
  'assistant.create_abandoned',
  'connection.created',
  'connection.updated',
  'connection.key_rotated',
  'connection.deleted',
  'connection.checked',
  'connection.made_default',
  'invitation.created',
  'invitation.revoked',
  'invitation.accepted',
  'job.started',
  'job.cancelled',
  'job.finished',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_TARGET_TYPES = [
  'user',
  'organization',
  'api_key',
  'assistant',
  'connection',
  'invitation',
  'job',
] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

export interface AuditEvent {
  readonly orgId: string | null;
  readonly actorUserId: string | null;
  readonly actorApiKeyId: string | null;
  readonly actorLabel: string | null;
  readonly action: AuditAction;
  readonly targetType: AuditTargetType;
  readonly targetId: string | null;
  readonly requestId: string | null;
  /** What changed (ids, roles, changed paths); never a secret or a password. */
  readonly detail: Record<string, unknown>;
}

/** An event by `caller` in `orgId`; a null caller is Switchboard itself (the reconciler). */
export function auditEvent(
  caller: Caller | null,
  orgId: string | null,
  action: AuditAction,
  target: { type: AuditTargetType; id: string | null },
  detail: Record<string, unknown> = {},
): AuditEvent {
  return {
    orgId,
    actorUserId: caller?.userId ?? null,
    actorApiKeyId: caller?.apiKeyId ?? null,
    actorLabel: caller?.label ?? null,
    action,
    targetType: target.type,
    targetId: target.id,
    requestId: caller?.requestId ?? null,
    detail,
  };
}

/** Writes successful events with `db`: pass the transaction that makes the change. */
export async function writeAudit(db: Database, ...events: AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.insert(auditEvents).values(events.map(successRow));
}

/** The event's columns as named placeholders, for a statement prepared once (see `auditPlaceholders`). */
const AUDIT_PLACEHOLDER = {
  orgId: 'auditOrgId',
  actorUserId: 'auditActorUserId',
  actorApiKeyId: 'auditActorApiKeyId',
  actorLabel: 'auditActorLabel',
  action: 'auditAction',
  targetType: 'auditTargetType',
  targetId: 'auditTargetId',
  requestId: 'auditRequestId',
} as const satisfies Partial<Record<keyof AuditEvent, string>>;

/**
 * The insert of one successful event for each row of `source` (a CTE of the same statement), for
 * another slice to prepare inside its own statement: no row in `source`, no event. Its values are
 * placeholders (`auditPlaceholders` fills them); `detail` is the SQL for the event's detail, which
 * may be partly known only in SQL.
 */
export function auditInsertFrom(db: Database, source: Subquery | WithSubquery, detail: SQL) {
  const uuid = (name: string) => sql<string | null>`${sql.placeholder(name)}::uuid`;
  const text = (name: string) => sql<string | null>`${sql.placeholder(name)}::text`;
  // Every column in the table's order, as an insert from a select needs them.
  const event = db
    .select({
      id: sql<string>`gen_random_uuid()`.as('id'),
      orgId: uuid(AUDIT_PLACEHOLDER.orgId).as('orgId'),
      actorUserId: uuid(AUDIT_PLACEHOLDER.actorUserId).as('actorUserId'),
      actorApiKeyId: uuid(AUDIT_PLACEHOLDER.actorApiKeyId).as('actorApiKeyId'),
      actorLabel: text(AUDIT_PLACEHOLDER.actorLabel).as('actorLabel'),
      action: text(AUDIT_PLACEHOLDER.action).as('action'),
      targetType: text(AUDIT_PLACEHOLDER.targetType).as('targetType'),
      targetId: text(AUDIT_PLACEHOLDER.targetId).as('targetId'),
      requestId: text(AUDIT_PLACEHOLDER.requestId).as('requestId'),
      outcome: sql<string>`'success'`.as('outcome'),
      detail: sql<Record<string, unknown>>`${detail}`.as('detail'),
      createdAt: sql<Date>`now()`.as('createdAt'),
    })
    .from(source);
  return db.insert(auditEvents).select(event);
}

/** The values for `auditInsert`'s placeholders. */
export function auditPlaceholders(event: AuditEvent): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(AUDIT_PLACEHOLDER).map(([column, name]) => [
      name,
      event[column as keyof typeof AUDIT_PLACEHOLDER],
    ]),
  );
}

function successRow(event: AuditEvent) {
  return { ...event, outcome: 'success' as const };
}

/** Which events to show; every filter given must hold. */
export interface AuditFilters {
  targetId?: string | undefined;
  actorId?: string | undefined;
  /** Part of the actor's email or key name, any case. */
  actor?: string | undefined;
  /** Part of the target's name (or email), any case. */
  target?: string | undefined;
  action?: AuditAction | undefined;
  /** From this moment on, inclusive. */
  since?: Date | undefined;
  /** Before this moment. */
  until?: Date | undefined;
}

export interface AuditQuery extends AuditFilters {
  limit: number;
  before?: { createdAt: Date; id: string } | undefined;
}

/** A stored event and its target's current name (null when it has none or is gone). */
export type NamedAuditEventRow = AuditEventRow & { targetLabel: string | null };

export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Records an event that changes nothing by itself (e.g. a sync that found no difference). */
  record(...events: AuditEvent[]): Promise<void> {
    return writeAudit(this.db, ...events);
  }

  /**
   * Runs `work`, which writes `event` with its change when it succeeds; when it fails, records
   * the failed attempt with the reason and passes the error on.
   */
  async attempt<T>(event: AuditEvent, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.recordFailure([event], error);
      throw error;
    }
  }

  async recordFailure(events: readonly AuditEvent[], error: unknown): Promise<void> {
    const reason =
      error instanceof AppError
        ? { code: error.code, status: error.statusCode, message: error.message }
        : { code: 'internal_error', status: 500 };
    try {
      await this.db.insert(auditEvents).values(
        events.map((event) => ({
          ...event,
          outcome: 'failure',
          detail: { ...event.detail, error: reason },
        })),
      );
    } catch (auditError) {
      this.log.error({ err: auditError, action: events[0]?.action }, 'could not record a failed attempt');
    }
  }

  /** One page of the organization's events, newest first (keyset on created_at, id), and the cursor of the next. */
  async page(
    orgId: string,
    { cursor, limit, ...filters }: AuditFilters & { limit: number; cursor?: string | undefined },
  ): Promise<{ items: NamedAuditEventRow[]; nextCursor: string | null }> {
    const rows = await this.list(orgId, {
      ...filters,
      limit: limit + 1,
      before: cursor === undefined ? undefined : decodeCursor(cursor),
    });
    const page = toPage(rows, limit, encodeCursor);
    return { items: page.items, nextCursor: page.next };
  }

  async list(orgId: string, query: AuditQuery): Promise<NamedAuditEventRow[]> {
    const conditions = [eq(auditEvents.orgId, orgId)];
    if (query.before) conditions.push(olderThan(auditEvents.createdAt, auditEvents.id, query.before));
    if (query.targetId) conditions.push(eq(auditEvents.targetId, query.targetId));
    if (query.actorId) {
      conditions.push(
        sql`(${auditEvents.actorUserId}::text = ${query.actorId} or ${auditEvents.actorApiKeyId}::text = ${query.actorId})`,
      );
    }
    if (query.actor) conditions.push(actorNamed(query.actor));
    if (query.target) conditions.push(targetNamed(orgId, query.target));
    if (query.action) conditions.push(eq(auditEvents.action, query.action));
    if (query.since) conditions.push(gte(auditEvents.createdAt, query.since));
    if (query.until) conditions.push(lt(auditEvents.createdAt, query.until));
    return this.db
      .select({ ...getTableColumns(auditEvents), targetLabel: targetLabel() })
      .from(auditEvents)
      .where(and(...conditions))
      .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
      .limit(query.limit);
  }
}
