// What `npm start` runs, read from package.json, so the benchmark and the process tests start the
// server exactly as a user does, Node flags included.
import { readFileSync } from 'node:fs';

export function npmStartArgs(): string[] {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const [command, ...args] = String(manifest.scripts.start).split(/\s+/);
  if (command !== 'node') throw new Error(`npm start runs ${command}, where node was expected`);
  return args;
}
