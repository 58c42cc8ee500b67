// The dashboard talks only to Switchboard's public HTTP API, with the session cookie.

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ data: T; etag: string | null }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(
      0,
      'network',
      'Switchboard could not be reached. Check your connection and try again.',
    );
  }
  const text = await res.text();
  const json = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const envelope = (json ?? {}) as { message?: string; code?: string; details?: FieldProblem[] };
    throw new ApiError(
      res.status,
      envelope.code,
      envelope.message ?? `Request failed (HTTP ${res.status})`,
      envelope.details ?? [],
    );
  }
  return { data: json as T, etag: res.headers.get('etag') };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type Role = 'viewer' | 'editor' | 'admin' | 'owner';
export const ROLES: Role[] = ['viewer', 'editor', 'admin', 'owner'];
export const roleAtLeast = (role: Role | undefined, minimum: Role) =>
  role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(minimum);

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
}

export interface Me {
  user: { id: string; email: string; name: string };
  memberships: Membership[];
  activeOrgId: string | null;
}

export interface Assistant {
  id: string;
  connectionId: string;
  providerAssistantId: string;
  name: string | null;
  firstMessage: string | null;
  model: {
    provider: string | null;
    model: string | null;
    temperature: number | null;
    maxTokens: number | null;
    systemPrompt: string | null;
  } | null;
  voice: { provider: string | null; voiceId: string | null } | null;
  transcriber: { provider: string | null; model: string | null } | null;
  version: number;
  syncState: 'synced' | 'pending' | 'missing';
  createdAt: string;
  updatedAt: string;
}

export type ConnectionProvider = 'vapi' | 'retell' | 'sandbox';
export type ConnectionStatus = 'ok' | 'invalid' | 'unreachable';

/** An organization's account at a voice platform; the key itself never comes back, only `keyHint`. */
export interface Connection {
  id: string;
  orgId: string;
  provider: ConnectionProvider;
  name: string;
  baseUrl: string | null;
  keyHint: string | null;
  providerAccountId: string | null;
  status: ConnectionStatus;
  checkedAt: string | null;
  createdAt: string;
  createdBy: string | null;
  isDefault: boolean;
}

export interface Version {
  version: number;
  source: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  createdAt: string;
  changedPaths: string[];
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  outcome: 'success' | 'failure';
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null; label: string | null };
  target: { type: string; id: string | null };
  requestId: string | null;
  detail: Record<string, unknown> & { error?: { message?: string; code: string } };
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
}

/** A 400's problems by the request field they name, to show each next to its input. */
export function fieldProblemsOf(error: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!(error instanceof ApiError)) return fields;
  for (const { field, message } of error.details) {
    fields[field] = fields[field] ? `${fields[field]}; ${message}` : message;
  }
  return fields;
}

/** A sentence for any error, saying what failed and what it means for the caller's change. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (error.status === 412)
    return 'Someone else changed this assistant since you opened it. Reload to see their changes; yours were not saved.';
  if (error.status >= 500 && error.code?.startsWith('provider_')) {
    return `The voice provider failed, so nothing was changed: ${error.message}`;
  }
  if (error.status === 401 && error.code === 'unauthorized')
    return 'Your session has ended. Please sign in again.';
  return error.message;
}

/** A pending invitation as admins see it; its token never comes back. */
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  createdAt: string;
  /** Null once the sender's account is gone. */
  invitedBy: { id: string; name: string; email: string } | null;
}

/** `acceptUrl` only when the server sends no email: then the inviter passes the link on. */
export interface CreatedInvitation extends Invitation {
  acceptUrl?: string;
}

/** What anyone holding an invitation link may see of it. */
export interface InvitationPreview {
  organization: { id: string; name: string };
  role: Role;
  inviter: { name: string; email: string } | null;
  expiresAt: string;
  /** The invited address: only its owner can accept. */
  email: string;
}

export const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
