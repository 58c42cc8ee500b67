// The fields of an assistant that a person edits in its file (SPEC section 4): POST /assistants'
// body without `connectionId`. The command compares them flat, one dotted path per value, so a
// diff, a PATCH and a file's line numbers all speak of `model.temperature`.
import { createHash } from 'node:crypto';
import type { Assistant, AssistantCreate, AssistantPatch } from './api.ts';

export type AssistantFields = Omit<AssistantCreate, 'connectionId'>;

/** Dotted paths to an object type's leaves: `name`, `model.temperature`, … */
type DottedPaths<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends Record<string, unknown>
    ? `${K}.${DottedPaths<NonNullable<T[K]>>}`
    : K;
}[keyof T & string];

export type FieldPath = DottedPaths<AssistantFields>;

export interface FieldSpec {
  kind: 'text' | 'number';
  /** `always`: every file has it; `with-group`: needed once the file has its group (a transcriber). */
  required?: 'always' | 'with-group';
}

/**
 * Every editable field, in the order a file lists them. Its type holds it to the API's create body:
 * a field the API adds or drops fails the type check here.
 */
export const FIELDS: Readonly<Record<FieldPath, FieldSpec>> = {
  name: { kind: 'text', required: 'always' },
  firstMessage: { kind: 'text' },
  'model.provider': { kind: 'text', required: 'always' },
  'model.model': { kind: 'text', required: 'always' },
  'model.temperature': { kind: 'number' },
  'model.maxTokens': { kind: 'number' },
  'model.systemPrompt': { kind: 'text' },
  'voice.provider': { kind: 'text', required: 'always' },
  'voice.voiceId': { kind: 'text', required: 'always' },
  'transcriber.provider': { kind: 'text', required: 'with-group' },
  'transcriber.model': { kind: 'text' },
};

export const FIELD_PATHS = Object.keys(FIELDS) as FieldPath[];

export type FieldValue = string | number;
/** An assistant's editable fields, flat; a field that is not set is absent. */
export type FieldValues = Partial<Record<FieldPath, FieldValue>>;

export function isFieldPath(path: string): path is FieldPath {
  return Object.hasOwn(FIELDS, path);
}

/** The top-level key of a path: `model` for `model.temperature`. */
export function groupOf(path: string): string {
  return path.split('.')[0] as string;
}

/** The fields as the server has them; nulls (not set) are left out. */
export function fieldValuesOf(assistant: Assistant): FieldValues {
  const values: FieldValues = {};
  for (const path of FIELD_PATHS) {
    const value = path
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], assistant);
    if (typeof value === 'string' || typeof value === 'number') values[path] = value;
  }
  return values;
}

/** The paths whose values differ, in file order. */
export function changedFields(from: FieldValues, to: FieldValues): FieldPath[] {
  return FIELD_PATHS.filter((path) => from[path] !== to[path]);
}

export function sameFields(a: FieldValues, b: FieldValues): boolean {
  return changedFields(a, b).length === 0;
}

/** The values as nested objects, as a file and a create body hold them. */
export function nestFields(values: FieldValues): Record<string, unknown> {
  const nested: Record<string, Record<string, unknown> | FieldValue> = {};
  for (const path of FIELD_PATHS) {
    const value = values[path];
    if (value !== undefined) setNested(nested, path, value);
  }
  return nested;
}

/**
 * The PATCH that makes the server's fields the file's: only the changed fields, and `null` for one
 * the file no longer sets (a whole transcriber removed is `transcriber: null`). The values' own
 * rules (ranges, provider names) are the server's to check; its 400 names the field.
 */
export function patchBetween(server: FieldValues, local: FieldValues): AssistantPatch | undefined {
  const changed = changedFields(server, local);
  if (changed.length === 0) return undefined;
  const patch: Record<string, unknown> = {};
  for (const path of changed) setNested(patch, path, local[path] ?? null);
  // The server needs the model whenever the model's provider changes.
  if (changed.includes('model.provider')) setNested(patch, 'model.model', local['model.model'] ?? null);
  if (!FIELD_PATHS.some((path) => groupOf(path) === 'transcriber' && local[path] !== undefined)) {
    if (changed.some((path) => groupOf(path) === 'transcriber')) patch.transcriber = null;
  }
  return patch as AssistantPatch;
}

/** POST /assistants' body for a file's fields, on the given connection (the default without one). */
export function createBodyOf(values: FieldValues, connectionId?: string): AssistantCreate {
  const body = nestFields(values) as AssistantCreate;
  return connectionId ? { connectionId, ...body } : body;
}

/** A fingerprint of the values, kept in the lock: it tells pull whether a file was edited since. */
export function fieldsHash(values: FieldValues): string {
  const entries = FIELD_PATHS.filter((path) => values[path] !== undefined).map((path) => [
    path,
    values[path],
  ]);
  return `sha256:${createHash('sha256').update(JSON.stringify(entries)).digest('hex')}`;
}

function setNested(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head, leaf] = path.split('.') as [string, string | undefined];
  if (leaf === undefined) {
    target[head] = value;
    return;
  }
  const group = target[head];
  target[head] = { ...(typeof group === 'object' && group !== null ? group : {}), [leaf]: value };
}
