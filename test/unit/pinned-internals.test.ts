// Code that leans on a dependency's internals names the release it was written against; the
// release installed must be that one, so an upgrade is a deliberate re-check, not a surprise.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../src/config/paths.ts';
import { PGLITE_INTERNALS_OF } from '../../src/db/pglite-statements.ts';

const manifest = (path: string) => JSON.parse(readFileSync(projectPath(...path.split('/')), 'utf8'));

describe('dependencies whose internals the code uses', () => {
  it.each([
    ['@electric-sql/pglite', PGLITE_INTERNALS_OF, 'src/db/pglite-statements.ts (its transaction locks)'],
  ])('%s is pinned and installed at %s, the release %s was written for', (name, version) => {
    expect(manifest('package.json').dependencies[name]).toBe(version);
    expect(manifest(`node_modules/${name}/package.json`).version).toBe(version);
  });

  it('npm start and npm run dev run the same entry point', () => {
    const scripts = manifest('package.json').scripts;
    expect(scripts.dev).toBe('tsx src/start.ts');
    expect(readFileSync(projectPath('scripts', 'build-server.mjs'), 'utf8')).toContain(
      "server: 'src/start.ts'",
    );
  });
});
