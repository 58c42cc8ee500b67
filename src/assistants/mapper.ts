// The one mapping from a stored assistant to its API shape, plus its ETag.
import type { AssistantRow } from '../db/schema.ts';
import { fieldMapFor } from '../providers/field-maps.ts';
import type { SwitchboardFields } from '../providers/provider.ts';
import type { VersionRow, VersionSource } from './assistant-repository.ts';
import type { Assistant } from './schemas.ts';

export interface FieldChange {
  /** Dotted, as in a PATCH body: `model.temperature`. */
  field: string;
  from: string | number | null;
  to: string | number | null;
}

/** The editable fields that differ between two views of an assistant, in the API's terms. */
export function fieldChanges(before: SwitchboardFields, after: SwitchboardFields): FieldChange[] {
  const flat = (shown: SwitchboardFields) => {
    const fields = new Map<string, string | number | null>();
    for (const [key, value] of Object.entries(shown)) {
      if (value === null || typeof value !== 'object') fields.set(key, value);
      else
        for (const [inner, v] of Object.entries(value))
          fields.set(`${key}.${inner}`, v as string | number | null);
    }
    return fields;
  };
  const [from, to] = [flat(before), flat(after)];
  const changes: FieldChange[] = [];
  for (const field of new Set([...from.keys(), ...to.keys()])) {
    const [a, b] = [from.get(field) ?? null, to.get(field) ?? null];
    if (a !== b) changes.push({ field, from: a, to: b });
  }
  return changes;
}

export function toAssistantResponse(row: AssistantRow): Assistant {
  return {
    id: row.id,
    orgId: row.orgId,
    connectionId: row.connectionId,
    provider: row.provider,
    // Only rows whose create the provider confirmed are ever shown.
    providerAssistantId: row.providerAssistantId ?? '',
    ...fieldMapFor(row.provider).fieldsOf(row.config),
    version: row.version,
    syncState: row.syncState as Assistant['syncState'],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    providerConfig: row.config,
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
