// A newcomer reads the README top to bottom: every setting it lists exists, and every setting the
// code reads is listed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../src/config/paths.ts';

const read = (...path: string[]) => readFileSync(projectPath(...path), 'utf8');
const names = (text: string, pattern: RegExp) =>
  [...new Set([...text.matchAll(pattern)].map((m) => m[1]))].sort();

describe('the README’s settings', () => {
  const readme = read('README.md');
  const table = readme.slice(
    readme.indexOf('## Settings'),
    readme.indexOf('\n## ', readme.indexOf('## Settings') + 1),
  );

  it('the settings table lists exactly the variables the configuration reads', () => {
    const readByConfig = names(read('src', 'config', 'config.ts'), /read\.\w+\('([A-Z][A-Z0-9_]+)'/g);
    const listed = names(table, /`([A-Z][A-Z0-9_]{2,})`/g);
    expect(readByConfig.length).toBeGreaterThan(20);
    expect(listed).toEqual(readByConfig);
  });

  it('the standalone emulators’ variables are in the README too', () => {
    // Both emulators' main.ts run through serveStandalone, which reads the settings.
    const readByEmulator = names(
      read('src', 'providers', 'standalone-emulator.ts'),
      /process\.env\.([A-Z_]+)/g,
    );
    expect(readByEmulator.length).toBeGreaterThan(0);
    for (const name of readByEmulator) expect(readme).toContain(`\`${name}\``);
  });
});
