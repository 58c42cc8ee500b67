// The dashboard reaches the server only through its HTTP API: nothing under web/src imports a file
// outside web/ (server code in the browser bundle, or types copied from it), only packages.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../src/config/paths.ts';

const WEB = projectPath('web');
const SOURCES = join(WEB, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|js|jsx|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every module specifier: static imports and re-exports (type-only ones too), dynamic imports. */
function specifiersOf(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1] as string));
}

describe('web/src imports', () => {
  it('finds the specifiers it checks', () => {
    expect(
      specifiersOf(
        `import a from 'react';\nimport type { B } from '../../src/x.ts';\nexport { c } from './c.ts';\nimport './d.css';\nconst e = import('../e.ts');`,
      ),
    ).toEqual(['react', '../../src/x.ts', './c.ts', './d.css', '../e.ts']);
  });

  it('stay inside web/: relative paths only within it, and no path aliases or absolute paths', () => {
    const files = sourceFiles(SOURCES);
    expect(files.length).toBeGreaterThan(10);
    const outside: string[] = [];
    for (const file of files) {
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        const local = specifier.startsWith('.') || specifier.startsWith('/');
        const target = local ? resolve(dirname(file), specifier) : undefined;
        const escapes = target !== undefined && !target.startsWith(WEB + sep);
        // Bare names are packages; anything that looks like a project folder is not one.
        const aliased = !local && /^(src|test|scripts|~|@\/)/.test(specifier);
        if (escapes || aliased) outside.push(`${relative(WEB, file)} imports ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
