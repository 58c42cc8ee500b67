// What an audit event points at, by the name people know it by. The log keeps only the target's
// type and id, so names are read when the log is: the current name of a thing that still exists
// (a renamed assistant shows its new name), none for one that is gone. Read-only, and only here,
// because the audit log is the one slice that speaks of every other slice's rows.
import { type SQL, sql } from 'drizzle-orm';
import { auditEvents } from '../db/schema.ts';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** Each target type's name, as a query over its table that finds the row by `id`. */
const NAME_BY_TYPE: Record<string, (id: SQL) => SQL> = {
  assistant: (id) => sql`(select name from assistants where id = ${id})`,
  connection: (id) => sql`(select name from connections where id = ${id})`,
  api_key: (id) => sql`(select name from api_keys where id = ${id})`,
  user: (id) => sql`(select email from users where id = ${id})`,
  invitation: (id) => sql`(select email from invitations where id = ${id})`,
  organization: (id) => sql`(select name from organizations where id = ${id})`,
  job: (id) =>
    sql`(select case kind when 'bulk' then 'bulk change' else 'import' end from jobs where id = ${id})`,
};

/** The event's target's name, or null when it has none or is gone (a column for a select). */
export function targetLabel(): SQL<string | null> {
  // Cast only a well-formed id, so an odd one reads as "no name" instead of failing the page.
  const id = sql`(case when ${auditEvents.targetId} ~ ${UUID_PATTERN} then ${auditEvents.targetId}::uuid end)`;
  const cases = Object.entries(NAME_BY_TYPE).map(
    ([type, name]) => sql`when ${auditEvents.targetType} = ${type} then ${name(id)}`,
  );
  return sql<string | null>`(case ${sql.join(cases, sql` `)} end)`;
}

/**
 * Events whose target's name contains `text` (any case): the ids of the organization's things so
 * named, and the users so named or addressed (only ids of this organization's events are matched).
 */
export function targetNamed(orgId: string, text: string): SQL {
  const pattern = containing(text);
  return sql`${auditEvents.targetId} in (
    select id::text from assistants where org_id = ${orgId} and name ilike ${pattern}
    union all select id::text from connections where org_id = ${orgId} and name ilike ${pattern}
    union all select id::text from api_keys where org_id = ${orgId} and name ilike ${pattern}
    union all select id::text from invitations where org_id = ${orgId} and email ilike ${pattern}
    union all select id::text from users where email ilike ${pattern} or name ilike ${pattern}
  )`;
}

/** Events whose actor's label (the email or key name at the time) contains `text`, any case. */
export function actorNamed(text: string): SQL {
  return sql`${auditEvents.actorLabel} ilike ${containing(text)}`;
}

/** An `ilike` pattern for text anywhere, its own wildcards taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
