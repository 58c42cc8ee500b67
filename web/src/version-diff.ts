// What differs between two confirmed configurations of an assistant, field by field, in words and
// as text to show side by side. Pure: the history panel and the restore confirmation both use it.
import { fieldWords } from './field-words.ts';

export type Config = Record<string, unknown>;

export interface FieldChange {
  /** Dotted path in the provider's configuration, e.g. `model.temperature`. */
  path: string;
  /** The path in the form's words, e.g. "Temperature". */
  label: string;
  /** The value as text; '' when the field is not set. */
  before: string;
  after: string;
}

/** The order of the form; other fields follow alphabetically. */
const FORM_ORDER = [
  'name',
  'firstMessage',
  'model.provider',
  'model.model',
  'model.temperature',
  'model.maxTokens',
  'model.messages',
  'voice.provider',
  'voice.voiceId',
  'transcriber.provider',
  'transcriber.model',
];

const isPlainObject = (value: unknown): value is Config =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A system prompt alone reads as its text; any other list of messages as JSON. */
function messagesText(messages: unknown[]): string {
  const [only] = messages;
  if (
    messages.length === 1 &&
    isPlainObject(only) &&
    only.role === 'system' &&
    typeof only.content === 'string'
  )
    return only.content;
  return JSON.stringify(messages, null, 2);
}

/** A value as text to read: strings as they are, numbers and flags spelled, lists and objects as JSON. */
export function valueText(path: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return path === 'model.messages' ? messagesText(value) : JSON.stringify(value, null, 2);
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

/** Leaves of a configuration by dotted path; lists are leaves, compared whole. */
function leaves(
  config: unknown,
  ignored: ReadonlySet<string>,
  prefix = '',
  into = new Map<string, unknown>(),
): Map<string, unknown> {
  if (!isPlainObject(config)) {
    if (prefix) into.set(prefix, config);
    return into;
  }
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (ignored.has(path)) continue;
    if (isPlainObject(value) && Object.keys(value).length > 0) leaves(value, ignored, path, into);
    else into.set(path, value);
  }
  return into;
}

function byFormOrder(a: string, b: string): number {
  const rank = (path: string) => {
    const index = FORM_ORDER.indexOf(path);
    return index === -1 ? FORM_ORDER.length : index;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/**
 * Every field whose value differs from `before` to `after` (`before` null: every field `after`
 * sets, as at a create), in the form's order.
 */
export function configDiff(
  before: Config | null,
  after: Config,
  /** Paths the provider sets itself (GET /providers): they move with every version and say nothing. */
  serverSet: ReadonlySet<string> = new Set(),
): FieldChange[] {
  const from = leaves(before ?? {}, serverSet);
  const to = leaves(after, serverSet);
  const paths = [...new Set([...from.keys(), ...to.keys()])].sort(byFormOrder);
  return paths.flatMap((path) => {
    const was = valueText(path, from.get(path));
    const now = valueText(path, to.get(path));
    return was === now ? [] : [{ path, label: fieldWords(path), before: was, after: now }];
  });
}
