// The readable diff plan prints: one line per changed field (`model.temperature: 0.7 → 0.2`), and
// for text of several lines (a system prompt) the lines removed and added, with a little context.
import { changedFields, type FieldValue, type FieldValues } from './fields.ts';
import type { Painter } from './output.ts';

const INDENT = '    ';
const CONTEXT_LINES = 2;

export interface LineChange {
  op: ' ' | '-' | '+';
  text: string;
}

/** Lines describing how `from` becomes `to`; none when they are the same. */
export function describeChanges(from: FieldValues, to: FieldValues, paint: Painter): string[] {
  return changedFields(from, to).flatMap((path) => describeField(path, from[path], to[path], paint));
}

function describeField(
  path: string,
  before: FieldValue | undefined,
  after: FieldValue | undefined,
  paint: Painter,
): string[] {
  if (isMultiline(before) || isMultiline(after)) {
    const marker = before === undefined ? paint.added('+ ') : after === undefined ? paint.removed('- ') : '';
    const body = lineDiff(linesOf(before), linesOf(after)).map((change) => paintLine(change, paint));
    return [`${INDENT}${marker}${path}:`, ...elide(body).map((line) => `${INDENT}  ${line}`)];
  }
  if (before === undefined) return [`${INDENT}${paint.added(`+ ${path}: ${show(after)}`)}`];
  if (after === undefined) return [`${INDENT}${paint.removed(`- ${path}: ${show(before)}`)}`];
  return [`${INDENT}${path}: ${paint.removed(show(before))} → ${paint.added(show(after))}`];
}

/** The longest common subsequence of lines, as kept, removed and added lines in order. */
export function lineDiff(before: string[], after: string[]): LineChange[] {
  const width = after.length + 1;
  // common[i * width + j]: how many lines before[i..] and after[j..] have in common, in order.
  const common = new Uint32Array((before.length + 1) * width);
  const at = (i: number, j: number) => common[i * width + j] as number;
  for (let i = before.length - 1; i >= 0; i--)
    for (let j = after.length - 1; j >= 0; j--)
      common[i * width + j] =
        before[i] === after[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));

  const changes: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      changes.push({ op: ' ', text: before[i] as string });
      i++;
      j++;
    } else if (i < before.length && (j === after.length || at(i + 1, j) >= at(i, j + 1))) {
      changes.push({ op: '-', text: before[i++] as string });
    } else {
      changes.push({ op: '+', text: after[j++] as string });
    }
  }
  return changes;
}

/** Unchanged lines far from any change become one `…`. */
function elide(lines: { line: string; changed: boolean }[]): string[] {
  const near = (index: number) =>
    lines.some((other, k) => other.changed && Math.abs(k - index) <= CONTEXT_LINES);
  const shown: string[] = [];
  lines.forEach((entry, index) => {
    if (entry.changed || near(index)) shown.push(entry.line);
    else if (shown.at(-1) !== '…') shown.push('…');
  });
  return shown;
}

function paintLine(change: LineChange, paint: Painter) {
  const line = `${change.op} ${change.text}`;
  if (change.op === '+') return { line: paint.added(line), changed: true };
  if (change.op === '-') return { line: paint.removed(line), changed: true };
  return { line: paint.dim(line), changed: false };
}

const isMultiline = (value: FieldValue | undefined) => typeof value === 'string' && value.includes('\n');
const linesOf = (value: FieldValue | undefined) =>
  value === undefined ? [] : String(value).replace(/\n$/, '').split('\n');
const show = (value: FieldValue | undefined) =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);
