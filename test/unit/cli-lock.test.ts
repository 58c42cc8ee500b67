import { describe, expect, it } from 'vitest';
import type { Assistant } from '../../src/cli/api.ts';
import { CliError } from '../../src/cli/cli-error.ts';
import {
  emptyLock,
  type Lock,
  type OrganizationLock,
  parseLock,
  serializeLock,
  withOrganization,
} from '../../src/cli/lock.ts';
import { placeBySlug } from '../../src/cli/pull.ts';

const entry = (id: string, version = 1) => ({
  id,
  version,
  etag: `"${id}.${version}"`,
  fieldsHash: 'sha256:x',
});

const lock: Lock = {
  lockfileVersion: 1,
  organizations: {
    'org-a': { name: 'Staging', assistants: { sales: entry('a1'), 'support-bot': entry('a2', 3) } },
  },
};

describe('the lock', () => {
  it('is written with sorted keys and reads back the same', () => {
    const text = serializeLock(lock);
    expect(text.indexOf('"sales"')).toBeLessThan(text.indexOf('"support-bot"'));
    expect(text.indexOf('"etag"')).toBeLessThan(text.indexOf('"version"'));
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseLock(text)).toEqual(lock);
  });

  it('replacing one organization’s entries leaves the others as they were', () => {
    const next = withOrganization(lock, 'org-b', { name: 'Production', assistants: { sales: entry('b1') } });
    expect(next.organizations['org-a']).toBe(lock.organizations['org-a']);
    expect(next.organizations['org-b']?.assistants.sales?.id).toBe('b1');
    expect(lock.organizations['org-b']).toBeUndefined();
  });

  it('a broken or foreign lock is a CliError that says what to do', () => {
    expect(() => parseLock('{', 'switchboard.lock.json')).toThrow(CliError);
    expect(() => parseLock('{', 'switchboard.lock.json')).toThrow(/not valid JSON.*restore it from git/);
    expect(() => parseLock('{"lockfileVersion": 7}')).toThrow(/lockfileVersion 1/);
    expect(parseLock(serializeLock(emptyLock()))).toEqual(emptyLock());
  });
});

describe('placeBySlug (pull)', () => {
  const assistant = (id: string, name: string | null) => ({ id, name }) as Assistant;

  it('names a file by the slug of the name, or by the slug the lock already gave the assistant', () => {
    const renamed = assistant('a2', 'Support Line');
    const { bySlug, problems } = placeBySlug(
      [assistant('a1', 'Sales'), renamed],
      lock.organizations['org-a'] as OrganizationLock,
    );
    expect(problems).toEqual([]);
    expect([...bySlug.keys()]).toEqual(['sales', 'support-bot']);
    expect(bySlug.get('support-bot')).toBe(renamed);
  });

  it('refuses two assistants on one slug, and a name with nothing to make a slug of', () => {
    const { bySlug, problems } = placeBySlug(
      [
        assistant('x1', 'Front Desk'),
        assistant('x2', 'front-desk!'),
        assistant('x3', '???'),
        assistant('x4', 'Ok'),
      ],
      { name: '', assistants: {} },
    );
    expect([...bySlug.keys()]).toEqual(['ok']);
    expect(problems).toEqual([
      'assistant x3 ("???"): its name has no letters or digits to name a file; rename it',
      'front-desk.yaml: "Front Desk" (x1) and "front-desk!" (x2) would share this file; rename all but one',
    ]);
  });
});
