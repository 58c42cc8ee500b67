// The functions with the most self time in a V8 CPU profile (`node --cpu-prof`), optionally only
// while one bench row ran (`--row import` for the import):
//   tsx bench/profile-top.ts <file.cpuprofile> [--row "<row name>"] [--results bench/results.json] [--top 25]
// The bench stamps each row's window on the monotonic clock that V8 stamps its samples with.
// `--by module` sums self time by the package or source file each frame of the server bundle came
// from (esbuild's `// path` markers), charging Node's own frames to the bundle frame that called them.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
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
    by: { type: 'string', default: 'function' },
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
const keyOf = values.by === 'module' ? moduleKeys() : functionKey;
const selfUs = new Map<string, number>();
let totalUs = 0;
let idleUs = 0;
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] ?? 0;
  if (at < window[0] || at > window[1]) continue;
  // A sample stands for the time until the next one.
  const us = profile.timeDeltas[i + 1] ?? 0;
  const node = nodes.get(profile.samples[i] as number) as ProfileNode;
  if (node.callFrame.functionName === '(idle)') {
    idleUs += us;
    continue;
  }
  const key = keyOf(node);
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

function functionKey({ callFrame: frame }: ProfileNode): string {
  const where = frame.url ? ` ${basename(frame.url)}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where}`;
}

/** The package (or source file) of the nearest bundle frame at or above a sample. */
function moduleKeys(): (node: ProfileNode) => string {
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const markers = new Map<string, Array<[number, string]>>();
  const markersOf = (url: string) => {
    let found = markers.get(url);
    if (!found) {
      found = [];
      const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n');
      for (const [index, line] of lines.entries())
        if (line.startsWith('// ')) found.push([index, line.slice(3)]);
      markers.set(url, found);
    }
    return found;
  };
  const sourceAt = (url: string, line: number) => {
    let source = basename(url);
    for (const [at, path] of markersOf(url)) {
      if (at > line) break;
      source = path;
    }
    return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ?? source;
  };
  return (sample) => {
    for (let node: ProfileNode | undefined = sample; node; node = parents.get(node.id)) {
      const { url, lineNumber } = node.callFrame;
      if (url.startsWith('file:') && url.includes('/dist/')) return sourceAt(url, lineNumber);
    }
    return `[${sample.callFrame.functionName || basename(sample.callFrame.url)}]`;
  };
}
