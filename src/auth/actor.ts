// Who is acting: a signed-in user or an organization's API key, in one request. The audit log
// and the assistants' history record it.
import type { Role } from '../orgs/roles.ts';
import type { SessionContext } from './session-repository.ts';

export interface Caller {
  /** The signed-in user; null when an API key acts. */
  readonly userId: string | null;
  readonly apiKeyId: string | null;
  /** The user's email or the key's name, kept in the audit log when either is gone. */
  readonly label: string;
  readonly requestId: string;
}

/** A caller signed in with a session: always a user. */
export interface UserCaller extends Caller {
  readonly userId: string;
}

/** A caller acting in an organization, already checked to hold `role` there. */
export interface Actor extends Caller {
  readonly orgId: string;
  readonly role: Role;
}

export function callerOf(session: SessionContext, requestId: string): UserCaller {
  return { userId: session.userId, apiKeyId: null, label: session.email, requestId };
}
