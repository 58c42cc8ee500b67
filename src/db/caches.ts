// The hot reads (a request's session or API key, and one assistant) come from memory. Each server
// keeps them right with PostgreSQL LISTEN/NOTIFY: triggers (migration 0003) announce every change
// to sessions, memberships, users, API keys and assistants, on PGlite and on a real server alike.
// While the notification feed is down, nothing is cached.
import type { FastifyBaseLogger } from 'fastify';
import type { ApiKeyContext } from '../api-keys/api-key-repository.ts';
import type { SessionContext } from '../auth/session-repository.ts';
import { ReadCache } from '../shared/read-cache.ts';
import type { DatabaseHandle } from './database.ts';
import type { AssistantRow, ConnectionRow } from './schema.ts';

export const AUTH_CHANNEL = 'switchboard_auth';
export const ASSISTANT_CHANNEL = 'switchboard_assistant';
export const CONNECTION_CHANNEL = 'switchboard_connection';

const BACKSTOP_TTL_MS = 60_000;

export class Caches {
  readonly sessions = new ReadCache<SessionContext & { expiresAt: Date }>(BACKSTOP_TTL_MS, 50_000);
  readonly apiKeys = new ReadCache<ApiKeyContext>(BACKSTOP_TTL_MS, 10_000);
  /** Keyed by organization and the id as asked for (local or provider id). */
  readonly assistants = new ReadCache<AssistantRow>(BACKSTOP_TTL_MS, 20_000);
  /** Keyed by id; a rotated key or a new status is announced (migration 0005). */
  readonly connections = new ReadCache<ConnectionRow>(BACKSTOP_TTL_MS, 10_000);

  authChanged(): void {
    this.sessions.clear();
    this.apiKeys.clear();
  }

  /**
   * The assistant changed. With the `state` the change left behind (from a notification), an
   * entry that already holds that state or a newer one is kept; without it, the entry goes.
   */
  assistantChanged(ref: AssistantRef, state?: AssistantState): void {
    const isStale = state
      ? (cached: AssistantRow) =>
          cached.version < state.version ||
          (cached.version === state.version && cached.syncState !== state.syncState)
      : undefined;
    for (const key of assistantKeys(ref)) this.assistants.invalidate(key, isStale);
  }

  /** Keeps a row this server just stored (read after `stamp`), unless it changed again since. */
  assistantStored(row: AssistantRow, stamp: number): void {
    for (const key of assistantKeys(row)) this.assistants.putIfCurrent(key, row, stamp);
  }

  setEnabled(enabled: boolean): void {
    for (const cache of [this.sessions, this.apiKeys, this.assistants, this.connections])
      cache.setEnabled(enabled);
  }
}

type AssistantRef = Pick<AssistantRow, 'orgId' | 'id' | 'providerAssistantId'>;
type AssistantState = Pick<AssistantRow, 'version' | 'syncState'>;

export const assistantKey = (orgId: string, idOrProviderId: string) => `${orgId}|${idOrProviderId}`;

const assistantKeys = (ref: AssistantRef) =>
  ref.providerAssistantId
    ? [assistantKey(ref.orgId, ref.id), assistantKey(ref.orgId, ref.providerAssistantId)]
    : [assistantKey(ref.orgId, ref.id)];

/** Subscribes `caches` to the database's change notifications; returns the unsubscribe. */
export async function listenForChanges(
  database: DatabaseHandle,
  caches: Caches,
  log: FastifyBaseLogger,
): Promise<() => Promise<void>> {
  let stopping = false;
  const stop = await database.listen(
    [AUTH_CHANNEL, ASSISTANT_CHANNEL, CONNECTION_CHANNEL],
    (channel, payload) => {
      if (channel === AUTH_CHANNEL) return caches.authChanged();
      if (channel === CONNECTION_CHANNEL) return caches.connections.invalidate(payload);
      // `org|id|providerId`, then `|version|syncState` when the row is still there (migration 0004);
      // the provider id is empty while a create's outcome is unknown (migration 0005).
      const [orgId, id, providerAssistantId, version, syncState] = payload.split('|');
      const state = version && syncState ? { version: Number(version), syncState } : undefined;
      if (orgId && id)
        caches.assistantChanged({ orgId, id, providerAssistantId: providerAssistantId || null }, state);
      else caches.assistants.clear();
    },
    (up) => {
      caches.setEnabled(up);
      if (!up && !stopping)
        log.warn('change notifications are down: reading everything from the database until they return');
    },
  );
  return () => {
    stopping = true;
    return stop();
  };
}
