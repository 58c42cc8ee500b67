/**
 * Where a generated file first differs from the committed one, in words, or null when they match:
 * a plain equality check would print thousands of lines.
 */
export function firstDifference(committed: string, fresh: string): string | null {
  const lines = { committed: committed.split('\n'), fresh: fresh.split('\n') };
  const at = lines.fresh.findIndex((line, i) => line !== lines.committed[i]);
  if (at < 0 && lines.fresh.length === lines.committed.length) return null;
  const line = at < 0 ? lines.fresh.length : at;
  return `line ${line + 1}: committed ${JSON.stringify(lines.committed[line])}, generated ${JSON.stringify(lines.fresh[line])}`;
}
