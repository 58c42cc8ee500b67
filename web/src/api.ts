// The dashboard talks only to Switchboard's public HTTP API, with the session cookie, through the
// client typed by the API's own document (api/client.ts); every API type here is derived from it.
import {
  ApiError,
  answer,
  createSwitchboardClient,
  type RequestBody,
  type ResponseBody,
} from './api/client.ts';

export type { FieldProblem } from './api/client.ts';
export { ApiError, answer };

/** The page's own origin; the browser sends the session cookie. */
export const api = createSwitchboardClient({ baseUrl: '' });

export type Me = ResponseBody<'/auth/me', 'get'>;
export type Role = Me['memberships'][number]['role'];
export type Assistant = ResponseBody<'/assistants/{id}', 'get'>;
/** An assistant as the list answers it: without the provider's whole object. */
export type AssistantSummary = ResponseBody<'/assistants', 'get'>['items'][number];
export type AssistantCreate = RequestBody<'/assistants', 'post'>;
export type AssistantPatch = RequestBody<'/assistants/{id}', 'patch'>;
export type Version = ResponseBody<'/assistants/{id}/versions', 'get'>['items'][number];
/** An organization's account at a voice platform; the key itself never comes back, only `keyHint`. */
export type Connection = ResponseBody<'/orgs/{orgId}/connections/{connectionId}', 'get'>;
export type ConnectionProvider = Connection['provider'];
export type ConnectionStatus = Connection['status'];
export type AuditEntry = ResponseBody<'/orgs/{orgId}/audit', 'get'>['items'][number];
export type Member = ResponseBody<'/orgs/{orgId}/members', 'get'>[number];
/** A pending invitation as admins see it; its token never comes back. */
export type Invitation = ResponseBody<'/orgs/{orgId}/invitations', 'get'>[number];
/** `acceptUrl` only when the server sends no email: then the inviter passes the link on. */
export type CreatedInvitation = ResponseBody<'/orgs/{orgId}/invitations', 'post', 201>;
/** What anyone holding an invitation link may see of it. */
export type InvitationPreview = ResponseBody<'/invitations/{token}', 'get'>;
/** Long work in the background (an import, a bulk change) and its progress. */
export type Job = ResponseBody<'/jobs/{id}', 'get'>;
export type BulkRequest = RequestBody<'/assistants/bulk', 'post'>;
/** A bulk dry run: what would change on each assistant. */
export type BulkPreview = ResponseBody<'/assistants/bulk', 'post'>;
/** What the assistant form may offer on one kind of connection. */
export type ProviderChoices = ResponseBody<'/providers', 'get'>['items'][number];

/** Each role's rank: a Record, so a role the API adds or drops fails the type check here. */
const RANKS: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };
/** Lowest first. */
export const ROLES = (Object.keys(RANKS) as Role[]).sort((a, b) => RANKS[a] - RANKS[b]);
export const roleAtLeast = (role: Role | undefined, minimum: Role) =>
  role !== undefined && RANKS[role] >= RANKS[minimum];

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

export const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
