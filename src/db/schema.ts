// The one schema for both drivers (PGlite and PostgreSQL). After a change here, run
// `npm run db:generate` and commit the new SQL file in ./migrations.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

// Millisecond precision, like JavaScript dates, so a timestamp read back compares equal to the stored one.
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** Where new and imported assistants go when the request names no connection. */
  defaultConnectionId: uuid('default_connection_id').references((): AnyPgColumn => connections.id, {
    onDelete: 'set null',
  }),
  createdAt: createdAt(),
});

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Stored lower-cased, so uniqueness is case-insensitive. */
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.orgId] }),
    index('memberships_org_idx').on(t.orgId),
    check('memberships_role_check', sql`${t.role} in ('viewer', 'editor', 'admin', 'owner')`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie's token; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    activeOrgId: uuid('active_org_id').references(() => organizations.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** An organization's account at a voice platform (or its built-in sandbox). */
export const connections = pgTable(
  'connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    name: text('name').notNull(),
    /** Null for the sandbox, which runs inside Switchboard. */
    baseUrl: text('base_url'),
    /** The provider API key sealed by src/secrets/secret-box.ts (never in clear); null for the sandbox. */
    apiKeySealed: text('api_key_sealed'),
    /** The key's last 4 characters, so people can tell keys apart. */
    keyHint: text('key_hint'),
    /** The provider account the key reached (Vapi: its `orgId`), once learned. */
    providerAccountId: text('provider_account_id'),
    status: text('status').notNull().default('ok'),
    checkedAt: ts('checked_at'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    /** Moves on every change of the key or status, so clients built from an older row are replaced. */
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('connections_org_name_idx').on(t.orgId, t.name),
    check('connections_provider_check', sql`${t.provider} in ('vapi', 'retell', 'sandbox')`),
    check('connections_status_check', sql`${t.status} in ('ok', 'invalid', 'unreachable')`),
  ],
);

/** The sandbox provider's assistants (Vapi's shape), kept per sandbox connection so they outlive restarts. */
export const sandboxAssistants = pgTable(
  'sandbox_assistants',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    assistant: jsonb('assistant').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.id] }),
    index('sandbox_assistants_created_idx').on(t.connectionId, t.createdAt.desc()),
  ],
);

export const assistants = pgTable(
  'assistants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The account it lives in; a connection in use cannot be deleted. */
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'restrict' }),
    provider: text('provider').notNull().default('vapi'),
    /** Null only while a create's outcome at the provider is not yet known (sync state `pending`). */
    providerAssistantId: text('provider_assistant_id'),
    /** The provider's whole assistant object as it last confirmed it, unknown fields included. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    /** The name as each platform keeps it (a Retell assistant's is its agent's), for the list's search. */
    name: text('name').generatedAlwaysAs(
      sql`case when provider = 'retell' then config #>> '{agent,agent_name}' else config ->> 'name' end`,
    ),
    version: integer('version').notNull().default(1),
    /** `synced`, or `pending` while an update may have reached the provider without being stored. */
    syncState: text('sync_state').notNull().default('synced'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    /** When the reconciler last claimed it; the oldest are checked first. */
    lastSyncedAt: ts('last_synced_at'),
    /** A short per-assistant lease that serialises provider writes across servers. */
    leaseToken: uuid('lease_token'),
    leaseExpiresAt: ts('lease_expires_at'),
  },
  (t) => [
    uniqueIndex('assistants_provider_id_idx').on(t.provider, t.providerAssistantId),
    index('assistants_org_created_idx').on(t.orgId, t.createdAt.desc(), t.id.desc()),
    index('assistants_last_synced_idx').on(t.lastSyncedAt),
    index('assistants_connection_idx').on(t.connectionId),
    check('assistants_sync_state_check', sql`${t.syncState} in ('synced', 'pending', 'missing')`),
  ],
);

export const assistantVersions = pgTable(
  'assistant_versions',
  {
    assistantId: uuid('assistant_id')
      .notNull()
      .references(() => assistants.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    /** Dotted paths that differ from the previous version, e.g. `model.temperature`. */
    changedPaths: jsonb('changed_paths').$type<string[]>().notNull(),
    /** `create`, `update`, `restore` or `import` through Switchboard; `provider` for a change found at the provider. */
    source: text('source').notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Set instead of the user when an API key made the change. */
    actorApiKeyId: uuid('actor_api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.assistantId, t.version] })],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    role: text('role').notNull(),
    /** SHA-256 of the secret; the secret itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    /** The secret's first characters, so people can tell their keys apart. */
    displayPrefix: text('display_prefix').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at'),
    /** Revoked keys are kept (the audit log names them) but never authenticate again. */
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    index('api_keys_org_idx').on(t.orgId),
    check('api_keys_role_check', sql`${t.role} in ('viewer', 'editor', 'admin', 'owner')`),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null only for events no organization owns (a failed sign-in with an unknown email). */
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorApiKeyId: uuid('actor_api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    /** The actor's email or key name at the time, kept when the user or key is gone. */
    actorLabel: text('actor_label'),
    /** e.g. `assistant.updated`, `member.removed`, `auth.login_failed`. */
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    requestId: text('request_id'),
    outcome: text('outcome').notNull(),
    /** What changed or why it failed; never a secret. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_events_org_created_idx').on(t.orgId, t.createdAt.desc(), t.id.desc()),
    check('audit_events_outcome_check', sql`${t.outcome} in ('success', 'failure')`),
  ],
);

/** An invitation to join an organization; the link's token is stored only as a hash. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** Lower-cased. */
    email: text('email').notNull(),
    role: text('role').notNull(),
    /** SHA-256 of the link's 256-bit token. */
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    acceptedAt: ts('accepted_at'),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    index('invitations_org_idx').on(t.orgId, t.createdAt.desc()),
    check('invitations_role_check', sql`${t.role} in ('viewer', 'editor', 'admin', 'owner')`),
  ],
);

/** A one-time password reset link; only the token's hash is stored. */
export const passwordResets = pgTable('password_resets', {
  tokenHash: text('token_hash').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: createdAt(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});

/**
 * Failed sign-ins per key (`address:<ip or IPv6 /64>` or `email:<email>`) in the current window,
 * shared by every server and kept across restarts.
 */
export const loginFailures = pgTable('login_failures', {
  key: text('key').primaryKey(),
  windowStartedAt: ts('window_started_at').notNull(),
  failures: integer('failures').notNull(),
});

/**
 * Long work in the background (SPEC section 12): an import of a whole account or one patch applied
 * to many assistants. Any server claims a queued job (or one whose runner stopped renewing its
 * lease) with `for update skip locked`; `position` is how far it got, so a resumed job goes on
 * from there.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    state: text('state').notNull().default('queued'),
    /** The connection whose pace the job follows; an import's source. */
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'set null' }),
    /** What to do: a bulk change's patch and assistant ids. */
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    total: integer('total'),
    done: integer('done').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** An import's: the part of `done` that was new; the rest was managed already. Null for a bulk change. */
    imported: integer('imported'),
    /** The first errors, in words: `[{assistantId?, message}]`. */
    errors: jsonb('errors').$type<Array<{ assistantId?: string; message: string }>>().notNull().default([]),
    /** The items the runner may have sent to the provider and not yet recorded; settled, never resent, on resume. */
    inFlight: jsonb('in_flight').$type<string[]>(),
    createdByUser: uuid('created_by_user').references(() => users.id, { onDelete: 'set null' }),
    createdByApiKey: uuid('created_by_api_key').references(() => apiKeys.id, { onDelete: 'set null' }),
    /** The creator's email or key name at the time. */
    createdByLabel: text('created_by_label').notNull(),
    runnerToken: text('runner_token'),
    leaseExpiresAt: ts('lease_expires_at'),
    createdAt: createdAt(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    index('jobs_org_created_idx').on(t.orgId, t.createdAt.desc(), t.id.desc()),
    index('jobs_claim_idx').on(t.state, t.createdAt),
    check('jobs_kind_check', sql`${t.kind} in ('import', 'bulk')`),
    check('jobs_state_check', sql`${t.state} in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`),
  ],
);

export type AssistantRow = typeof assistants.$inferSelect;
export type ConnectionRow = typeof connections.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
