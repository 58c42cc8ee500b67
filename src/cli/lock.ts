// switchboard.lock.json: per organization, each file's assistant (slug → id, version, ETag) as the
// server last confirmed it. Written with sorted keys, so a change reads as a small diff in git.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './cli-error.ts';
import { fieldsHash, fieldValuesOf } from './fields.ts';
import type { Confirmed } from './remote.ts';

export const LOCK_FILE = 'switchboard.lock.json';

export interface LockEntry {
  id: string;
  version: number;
  etag: string;
  /** The fields' fingerprint at that version (fieldsHash): tells pull whether the file was edited since. */
  fieldsHash: string;
}

export interface OrganizationLock {
  /** The organization's name when last seen, for people reading the file. */
  name: string;
  assistants: Record<string, LockEntry>;
}

export interface Lock {
  lockfileVersion: 1;
  organizations: Record<string, OrganizationLock>;
}

export const emptyLock = (): Lock => ({ lockfileVersion: 1, organizations: {} });

export function parseLock(text: string, file = LOCK_FILE): Lock {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${file} is not valid JSON (${(error as Error).message}); restore it from git or delete it and pull`,
    );
  }
  const lock = parsed as Partial<Lock> | null;
  if (lock?.lockfileVersion !== 1 || typeof lock.organizations !== 'object' || lock.organizations === null)
    throw new CliError(
      `${file} is not a lock this version of switchboard writes (lockfileVersion 1 expected)`,
    );
  return lock as Lock;
}

export function serializeLock(lock: Lock): string {
  return `${JSON.stringify(sortKeys(lock), null, 2)}\n`;
}

export function readLock(dir: string): Lock {
  const path = join(dir, LOCK_FILE);
  return existsSync(path) ? parseLock(readFileSync(path, 'utf8')) : emptyLock();
}

export function writeLock(dir: string, lock: Lock): void {
  writeFileSync(join(dir, LOCK_FILE), serializeLock(lock));
}

/** The entries of one organization; none when it was never pulled or applied here. */
export function organizationLock(lock: Lock, orgId: string): OrganizationLock {
  return lock.organizations[orgId] ?? { name: '', assistants: {} };
}

/** The lock with one organization's entries replaced; every other organization's stay as they were. */
export function withOrganization(lock: Lock, orgId: string, organization: OrganizationLock): Lock {
  return { ...lock, organizations: { ...lock.organizations, [orgId]: organization } };
}

/** What the lock keeps of an assistant the server just confirmed. */
export function lockEntryOf({ assistant, etag }: Confirmed): LockEntry {
  return {
    id: assistant.id,
    version: assistant.version,
    etag,
    fieldsHash: fieldsHash(fieldValuesOf(assistant)),
  };
}

/** The slug whose entry names this assistant, if any. */
export function slugOfId(organization: OrganizationLock, id: string): string | undefined {
  return Object.entries(organization.assistants).find(([, entry]) => entry.id === id)?.[0];
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
