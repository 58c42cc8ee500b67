// The one mapping from a stored assistant to its API shape, plus its ETag.
import type { AssistantRow } from '../db/schema.ts';
import { isPlainObject } from '../shared/objects.ts';
import type { VersionRow, VersionSource } from './assistant-repository.ts';
import { systemPromptOf } from './merge.ts';
import type { Assistant } from './schemas.ts';

export function toAssistantResponse(row: AssistantRow): Assistant {
  const config = row.config;
  const model = isPlainObject(config.model) ? config.model : undefined;
  const voice = isPlainObject(config.voice) ? config.voice : undefined;
  const transcriber = isPlainObject(config.transcriber) ? config.transcriber : undefined;
  return {
    id: row.id,
    orgId: row.orgId,
    connectionId: row.connectionId,
    provider: row.provider,
    // Only rows whose create the provider confirmed are ever shown.
    providerAssistantId: row.providerAssistantId ?? '',
    name: stringOrNull(config.name),
    firstMessage: stringOrNull(config.firstMessage),
    model: model
      ? {
          provider: stringOrNull(model.provider),
          model: stringOrNull(model.model),
          temperature: numberOrNull(model.temperature),
          maxTokens: numberOrNull(model.maxTokens),
          systemPrompt: systemPromptOf(model),
        }
      : null,
    voice: voice ? { provider: stringOrNull(voice.provider), voiceId: stringOrNull(voice.voiceId) } : null,
    transcriber: transcriber
      ? { provider: stringOrNull(transcriber.provider), model: stringOrNull(transcriber.model) }
      : null,
    version: row.version,
    syncState: row.syncState as Assistant['syncState'],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    providerConfig: config,
  };
}

/** The version is the ETag: it changes exactly when the stored configuration does. */
export function etagOf(row: Pick<AssistantRow, 'id' | 'version'>): string {
  return `"${row.id}.${row.version}"`;
}

/** RFC 9110 If-Match: absent or `*` always passes; otherwise one listed tag must match (weak prefixes ignored). */
export function ifMatchSatisfied(ifMatch: string | undefined, etag: string): boolean {
  if (ifMatch === undefined || ifMatch.trim() === '*') return true;
  return ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);
const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);

export function toVersionResponse(row: VersionRow) {
  return {
    version: row.version,
    source: row.source as VersionSource,
    actorUserId: row.actorUserId,
    actorApiKeyId: row.actorApiKeyId,
    actorLabel: row.actorLabel,
    createdAt: row.createdAt.toISOString(),
    changedPaths: row.changedPaths,
  };
}
