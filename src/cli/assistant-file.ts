// One assistant's YAML file: read with every problem located (file, line, what), written fresh, or
// rewritten in place so that a person's comments and layout survive a pull.
import { Document, isMap, isScalar, LineCounter, type Node, parseDocument, Scalar, type YAMLMap } from 'yaml';
import {
  FIELD_PATHS,
  FIELDS,
  type FieldPath,
  type FieldValues,
  groupOf,
  isFieldPath,
  nestFields,
} from './fields.ts';

export interface ParsedAssistantFile {
  values: FieldValues;
  /** The line each field is on, to point at it when the server refuses its value. */
  lines: Partial<Record<FieldPath, number>>;
  /** The parsed document, kept for a rewrite that keeps its comments. */
  document: Document;
}

export interface FileProblem {
  line: number;
  message: string;
}

/** A file that is not a valid assistant: every problem, each with its line. */
export class InvalidFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: FileProblem[],
  ) {
    super(problems.map((problem) => `${file}:${problem.line}: ${problem.message}`).join('\n'));
  }
}

const GROUPS = new Set(FIELD_PATHS.filter((path) => path.includes('.')).map(groupOf));
const TOP_LEVEL_KEYS = [...new Set(FIELD_PATHS.map(groupOf))];
const WRITE_OPTIONS = { lineWidth: 0 } as const;

export function parseAssistantFile(text: string, file: string): ParsedAssistantFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: FileProblem[] = document.errors.map((error) => ({
    line: lineCounter.linePos(error.pos[0]).line,
    message: firstLine(error.message),
  }));
  if (problems.length > 0) throw new InvalidFileError(file, problems);

  const reader = new FieldReader(lineCounter);
  reader.readRoot(document.contents);
  if (reader.problems.length > 0) throw new InvalidFileError(file, reader.problems);
  return { values: reader.values, lines: reader.lines, document };
}

/** A new file for an assistant's fields. */
export function renderAssistantFile(values: FieldValues): string {
  const document = new Document(nestFields(values));
  for (const path of FIELD_PATHS) writeMultilineAsBlock(document, path);
  return document.toString(WRITE_OPTIONS);
}

/** The file rewritten from `from` to `to`: only the changed fields are touched, comments stay. */
export function rewriteAssistantFile(document: Document, from: FieldValues, to: FieldValues): string {
  for (const path of FIELD_PATHS) {
    if (from[path] === to[path]) continue;
    const value = to[path];
    if (value === undefined) {
      document.deleteIn(path.split('.'));
      const group = document.get(groupOf(path));
      if (isMap(group) && group.items.length === 0) document.delete(groupOf(path));
    } else {
      document.setIn(path.split('.'), value);
      writeMultilineAsBlock(document, path);
    }
  }
  return document.toString(WRITE_OPTIONS);
}

/** Walks a parsed file, collecting each field's value and line, or a problem. */
class FieldReader {
  readonly values: FieldValues = {};
  readonly lines: Partial<Record<FieldPath, number>> = {};
  readonly problems: FileProblem[] = [];
  /** Where each group (`model:`) starts, to point a missing field of it there. */
  private readonly groupLines = new Map<string, number>();
  /** Fields given with a value of the wrong type: already a problem, not also a missing one. */
  private readonly mistyped = new Set<FieldPath>();

  constructor(private readonly lineCounter: LineCounter) {}

  readRoot(root: unknown): void {
    if (root === null || (isScalar(root) && root.value === null)) {
      this.problems.push({ line: 1, message: `is empty; an assistant needs ${requiredList()}` });
      return;
    }
    if (!isMap(root)) {
      this.problems.push({
        line: this.lineOf(root),
        message: 'must be a mapping of fields (name: …, model: …)',
      });
      return;
    }
    for (const pair of root.items) {
      const key = keyText(pair.key);
      if (GROUPS.has(key)) this.readGroup(key, pair.value, pair.key);
      else if (isFieldPath(key)) this.readLeaf(key, pair.value, pair.key);
      else this.unknown(key, pair.key, TOP_LEVEL_KEYS);
    }
    this.checkRequired();
  }

  private readGroup(group: string, node: unknown, keyNode: unknown): void {
    this.groupLines.set(group, this.lineOf(keyNode));
    if (node === null || (isScalar(node) && node.value === null)) return;
    if (!isMap(node)) {
      this.problems.push({
        line: this.lineOf(node ?? keyNode),
        message: `${group} must be a mapping of fields`,
      });
      return;
    }
    const known = FIELD_PATHS.filter((path) => groupOf(path) === group).map((path) => path.split('.')[1]);
    for (const pair of (node as YAMLMap).items) {
      const path = `${group}.${keyText(pair.key)}`;
      if (isFieldPath(path)) this.readLeaf(path, pair.value, pair.key);
      else this.unknown(path, pair.key, known as string[]);
    }
  }

  private readLeaf(path: FieldPath, node: unknown, keyNode: unknown): void {
    const line = this.lineOf(node ?? keyNode);
    this.lines[path] = this.lineOf(keyNode);
    if (node === null || (isScalar(node) && node.value === null)) return;
    const value = isScalar(node) ? node.value : undefined;
    const kind = FIELDS[path].kind;
    if (kind === 'number' && typeof value === 'number') this.values[path] = value;
    else if (kind === 'text' && typeof value === 'string') this.values[path] = value;
    else {
      this.mistyped.add(path);
      this.problems.push({
        line,
        message:
          kind === 'number'
            ? `${path} must be a number`
            : `${path} must be text${isScalar(node) ? ' (put it in quotes)' : ''}`,
      });
    }
  }

  private unknown(path: string, keyNode: unknown, known: string[]): void {
    this.problems.push({
      line: this.lineOf(keyNode),
      message: `${path} is not a field an assistant file has (known here: ${known.join(', ')})`,
    });
  }

  private checkRequired(): void {
    for (const path of FIELD_PATHS) {
      const required = FIELDS[path].required;
      if (this.values[path] !== undefined || this.mistyped.has(path) || !required) continue;
      const groupPresent = FIELD_PATHS.some(
        (p) => groupOf(p) === groupOf(path) && this.values[p] !== undefined,
      );
      if (required === 'always' || groupPresent)
        this.problems.push({ line: this.groupLines.get(groupOf(path)) ?? 1, message: `${path} is required` });
    }
  }

  private lineOf(node: unknown): number {
    const offset = (node as Node | undefined)?.range?.[0];
    return offset === undefined ? 1 : this.lineCounter.linePos(offset).line;
  }
}

function keyText(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}

function requiredList(): string {
  return FIELD_PATHS.filter((path) => FIELDS[path].required === 'always').join(', ');
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

/** A prompt of several lines reads best as a literal block (`|`), one line of YAML per line. */
function writeMultilineAsBlock(document: Document, path: string): void {
  const node = document.getIn(path.split('.'), true);
  if (node instanceof Scalar && typeof node.value === 'string' && node.value.includes('\n'))
    node.type = Scalar.BLOCK_LITERAL;
}
