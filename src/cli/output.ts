// Where the command writes, and its colours: only on a terminal, and never when NO_COLOR is set
// (https://no-color.org), so CI logs and files get plain text.

export interface Painter {
  added(text: string): string;
  removed(text: string): string;
  changed(text: string): string;
  dim(text: string): string;
}

export interface Output {
  /** Results: the plan, what was written or applied. */
  out(line: string): void;
  /** Errors and warnings. */
  err(line: string): void;
  paint: Painter;
}

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;

export const PLAIN: Painter = { added: same, removed: same, changed: same, dim: same };
const COLOURED: Painter = { added: ansi(32), removed: ansi(31), changed: ansi(33), dim: ansi(2) };

export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

export function processOutput(env: NodeJS.ProcessEnv = process.env): Output {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    paint: colourWanted(process.stdout, env) ? COLOURED : PLAIN,
  };
}

function same(text: string): string {
  return text;
}
