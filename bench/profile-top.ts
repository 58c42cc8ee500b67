// The functions with the most self time in a V8 CPU profile (`node --cpu-prof`), optionally only
// while one bench row ran (`--row import` for the import):
//   tsx bench/profile-top.ts <file.cpuprofile> [--row "<row name>"] [--results bench/results.json] [--top 25]
// The bench stamps each row's window on the monotonic clock that V8 stamps its samples with.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    row: { type: 'string' },
    results: { type: 'string', default: 'bench/results.json' },
    top: { type: 'string', default: '25' },
  },
});
const file = positionals[0];
if (!file) {
  console.error('usage: tsx bench/profile-top.ts <file.cpuprofile> [--row "<row name>"] [--top 25]');
  process.exit(2);
}
const profile: Profile = JSON.parse(readFileSync(file, 'utf8'));
let window: [number, number] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
if (values.row) {
  const results = JSON.parse(readFileSync(values.results as string, 'utf8'));
  const row =
    values.row === 'import'
      ? results.import
      : results.rows.find((r: { name: string }) => r.name === values.row);
  if (!row?.windowUs) throw new Error(`no row named "${values.row}" with a window in ${values.results}`);
  window = row.windowUs;
}

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<string, number>();
let totalUs = 0;
let idleUs = 0;
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] ?? 0;
  if (at < window[0] || at > window[1]) continue;
  // A sample stands for the time until the next one.
  const us = profile.timeDeltas[i + 1] ?? 0;
  const frame = (nodes.get(profile.samples[i] as number) as ProfileNode).callFrame;
  if (frame.functionName === '(idle)') {
    idleUs += us;
    continue;
  }
  const where = frame.url ? ` ${basename(frame.url)}:${frame.lineNumber + 1}` : '';
  const key = `${frame.functionName || '(anonymous)'}${where}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + us);
  totalUs += us;
}

console.log(
  `${basename(file)}: ${(totalUs / 1000).toFixed(0)} ms busy, ${(idleUs / 1000).toFixed(0)} ms idle${values.row ? ` during "${values.row}"` : ''}`,
);
for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(
    `${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`,
  );
}
