// `switchboard pull`: the organization's assistants into DIR, one `<slug>.yaml` each, and their
// ids, versions and ETags into the lock. A file edited since it was last pulled or applied is not
// overwritten without --force; then nothing at all is written, so the folder never ends half pulled.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Assistant } from './api.ts';
import {
  InvalidFileError,
  type ParsedAssistantFile,
  parseAssistantFile,
  renderAssistantFile,
  rewriteAssistantFile,
} from './assistant-file.ts';
import { fieldsHash, fieldValuesOf, sameFields } from './fields.ts';
import {
  type LockEntry,
  lockEntryOf,
  type OrganizationLock,
  organizationLock,
  readLock,
  slugOfId,
  withOrganization,
  writeLock,
} from './lock.ts';
import type { Output } from './output.ts';
import type { Remote } from './remote.ts';
import { groupBySlug, slugOf } from './slug.ts';
import { fileNameOf } from './workspace.ts';

export interface PullOptions {
  force: boolean;
}

interface FileWrite {
  fileName: string;
  text: string;
  what: 'new' | 'updated';
}

/** Returns the exit code: 0 when written, 1 when something stopped it (and nothing was written). */
export async function pull(remote: Remote, dir: string, options: PullOptions, out: Output): Promise<number> {
  const who = await remote.whoAmI();
  const lock = readLock(dir);
  const before = organizationLock(lock, who.orgId);
  const { bySlug, problems } = placeBySlug(await remote.listAssistants(), before);

  const writes: FileWrite[] = [];
  const entries: Record<string, LockEntry> = {};
  for (const [slug, assistant] of bySlug) {
    const confirmed = await remote.getAssistant(assistant.id);
    entries[slug] = lockEntryOf(confirmed);
    const fileName = fileNameOf(slug);
    const decision = decideWrite(
      join(dir, fileName),
      confirmed.assistant,
      before.assistants[slug],
      options.force,
    );
    if (typeof decision === 'string') problems.push(`${fileName}: ${decision}`);
    else if (decision) writes.push({ fileName, ...decision });
  }
  if (problems.length > 0) {
    for (const problem of problems) out.err(problem);
    out.err('Nothing was written.');
    return 1;
  }

  mkdirSync(dir, { recursive: true });
  for (const write of writes) {
    writeFileSync(join(dir, write.fileName), write.text);
    out.out(`${write.what === 'new' ? 'wrote' : 'updated'} ${write.fileName}`);
  }
  for (const [slug, entry] of Object.entries(before.assistants)) {
    if (!entries[slug] && existsSync(join(dir, fileNameOf(slug))))
      out.err(
        `${fileNameOf(slug)}: its assistant ${entry.id} is no longer on the server; the file stays (delete it, or apply creates the assistant again)`,
      );
  }
  writeLock(dir, withOrganization(lock, who.orgId, { name: who.orgName, assistants: entries }));
  const updated = writes.filter((write) => write.what === 'updated').length;
  out.out(
    `Pulled ${bySlug.size} assistants of organization "${who.orgName}" into ${dir}: ${writes.length - updated} new, ${updated} updated, ${bySlug.size - writes.length} unchanged.`,
  );
  return 0;
}

/**
 * Each assistant's slug: the one its lock entry already has (so a renamed assistant keeps its file),
 * else the slug of its name. Two assistants on one slug are a problem to fix by renaming one.
 */
export function placeBySlug(
  assistants: Assistant[],
  organization: OrganizationLock,
): { bySlug: Map<string, Assistant>; problems: string[] } {
  const problems: string[] = [];
  const groups = groupBySlug(
    assistants,
    (assistant) => slugOfId(organization, assistant.id) ?? slugOf(assistant.name ?? ''),
  );
  for (const nameless of groups.get('') ?? [])
    problems.push(
      `assistant ${nameless.id} ("${nameless.name ?? ''}"): its name has no letters or digits to name a file; rename it`,
    );
  groups.delete('');
  const bySlug = new Map<string, Assistant>();
  for (const [slug, group] of groups) {
    if (group.length === 1) bySlug.set(slug, group[0] as Assistant);
    else
      problems.push(
        `${fileNameOf(slug)}: ${group.map((a) => `"${a.name}" (${a.id})`).join(' and ')} would share this file; rename all but one`,
      );
  }
  return { bySlug, problems };
}

/**
 * What to write for one assistant: nothing when the file already says the same, the file rewritten
 * in place (comments kept) or a new one, or a refusal in words when the file has unapplied edits.
 */
function decideWrite(
  path: string,
  assistant: Assistant,
  entry: LockEntry | undefined,
  force: boolean,
): Pick<FileWrite, 'text' | 'what'> | string | undefined {
  const server = fieldValuesOf(assistant);
  if (!existsSync(path)) return { text: renderAssistantFile(server), what: 'new' };
  const local = readIfValid(path);
  if (local && sameFields(local.values, server)) return undefined;
  const edited = !local || !entry || fieldsHash(local.values) !== entry.fieldsHash;
  if (edited && !force)
    return local
      ? 'has changes that were never applied; apply them first, or pass --force to replace them with the server’s version'
      : 'is not a valid assistant file; fix it, or pass --force to replace it with the server’s version';
  const text = local
    ? rewriteAssistantFile(local.document, local.values, server)
    : renderAssistantFile(server);
  return { text, what: 'updated' };
}

function readIfValid(path: string): ParsedAssistantFile | undefined {
  try {
    return parseAssistantFile(readFileSync(path, 'utf8'), path);
  } catch (error) {
    if (error instanceof InvalidFileError) return undefined;
    throw error;
  }
}
