// What apply would do, file by file, worked out from the files, the lock and the server, with no
// write sent: plan prints it, apply carries it out.
import type { Assistant, AssistantVersion, Connection, WhoAmI } from './api.ts';
import { CliError } from './cli-error.ts';
import { describeChanges } from './diff.ts';
import { fieldValuesOf, sameFields } from './fields.ts';
import { type LockEntry, type OrganizationLock, organizationLock, readLock } from './lock.ts';
import type { Output } from './output.ts';
import type { Remote } from './remote.ts';
import { groupBySlug, slugOf } from './slug.ts';
import { type AssistantFile, fileNameOf } from './workspace.ts';

export type PlanItem =
  | { kind: 'create'; file: AssistantFile }
  /** `etag` is the lock's; an assistant matched by slug alone (a promotion) has none yet. */
  | { kind: 'update'; file: AssistantFile; assistant: Assistant; etag?: string }
  | { kind: 'unchanged'; file: AssistantFile; assistant: Assistant }
  /** The server has what the file says, at a version the lock does not record yet. */
  | { kind: 'record'; file: AssistantFile; assistant: Assistant }
  | { kind: 'conflict'; file: AssistantFile; reason: string }
  /** In the lock, without a file: deleted with --prune, else only mentioned. */
  | { kind: 'delete' | 'untracked'; slug: string; entry: LockEntry };

export interface Plan {
  who: WhoAmI;
  organization: OrganizationLock;
  items: PlanItem[];
  /** Where new assistants go; undefined: the organization's default connection. */
  connection?: Connection | undefined;
}

export interface PlanOptions {
  prune: boolean;
  connection?: string | undefined;
}

export async function makePlan(
  remote: Remote,
  dir: string,
  files: AssistantFile[],
  options: PlanOptions,
): Promise<Plan> {
  const who = await remote.whoAmI();
  const connection = options.connection ? await findConnection(remote, options.connection) : undefined;
  const organization = organizationLock(readLock(dir), who.orgId);
  const assistants = await remote.listAssistants();
  const byId = new Map(assistants.map((assistant) => [assistant.id, assistant]));
  const tracked = trackedIds(organization);
  // How a file finds its assistant in another organization (a promotion): by the slug of its name.
  const untracked = groupBySlug(
    assistants.filter((assistant) => !tracked.has(assistant.id)),
    (assistant) => slugOf(assistant.name ?? ''),
  );

  const items: PlanItem[] = [];
  for (const file of files) {
    const entry = organization.assistants[file.slug];
    items.push(
      entry
        ? await planTracked(remote, file, entry, byId.get(entry.id))
        : planUntracked(file, untracked.get(file.slug) ?? []),
    );
  }
  const slugsWithFiles = new Set(files.map((file) => file.slug));
  for (const [slug, entry] of Object.entries(organization.assistants)) {
    if (!slugsWithFiles.has(slug) && byId.has(entry.id))
      items.push({ kind: options.prune ? 'delete' : 'untracked', slug, entry });
  }
  return { who, organization, items, connection };
}

async function planTracked(
  remote: Remote,
  file: AssistantFile,
  entry: LockEntry,
  assistant: Assistant | undefined,
): Promise<PlanItem> {
  if (!assistant)
    return {
      kind: 'conflict',
      file,
      reason:
        'its assistant was deleted on the server since the pull. Run `switchboard pull` (the file stays); a plan after it creates the assistant again',
    };
  const server = fieldValuesOf(assistant);
  const same = sameFields(server, file.values);
  if (assistant.version === entry.version)
    return same
      ? { kind: 'unchanged', file, assistant }
      : { kind: 'update', file, assistant, etag: entry.etag };
  if (same) return { kind: 'record', file, assistant };
  const latest = await remote.latestVersion(assistant.id);
  return {
    kind: 'conflict',
    file,
    reason: `changed on the server since the pull (the lock has version ${entry.version}; ${describeVersion(latest, assistant.version)}). Nothing is sent for it: keep your edit (commit it), take the server's version with \`switchboard pull --force\`, redo the edit, and plan again`,
  };
}

function planUntracked(file: AssistantFile, matches: Assistant[]): PlanItem {
  const [assistant, ...others] = matches;
  if (!assistant) return { kind: 'create', file };
  if (others.length > 0)
    return {
      kind: 'conflict',
      file,
      reason: `${matches.length} assistants on the server have this slug (${matches.map((a) => `"${a.name}" ${a.id}`).join(', ')}); rename all but one`,
    };
  return sameFields(fieldValuesOf(assistant), file.values)
    ? { kind: 'record', file, assistant }
    : { kind: 'update', file, assistant };
}

/** `version 4 by alice@example.com at 2026-11-30T12:00:00.000Z`, from the assistant's history. */
export function describeVersion(version: AssistantVersion | undefined, fallbackNumber: number): string {
  if (!version) return `now at version ${fallbackNumber}`;
  const who =
    version.source === 'provider'
      ? 'a change made at the provider'
      : (version.actorLabel ?? 'someone no longer in the organization');
  return `version ${version.version} by ${who} at ${new Date(version.createdAt).toISOString()}`;
}

/** A connection named by its id or its name (exact, else in any case). */
async function findConnection(remote: Remote, wanted: string): Promise<Connection> {
  const connections = await remote.connections();
  const found =
    connections.find((c) => c.id === wanted || c.name === wanted) ??
    connections.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (found) return found;
  const names = connections.map((c) => `"${c.name}"`).join(', ') || 'none';
  throw new CliError(`No connection "${wanted}" in this organization (its connections: ${names})`);
}

export interface PlanCounts {
  changes: number;
  conflicts: number;
}

/** Prints the plan, one block per file, and a summary line. */
export function printPlan(plan: Plan, out: Output): PlanCounts {
  const { paint } = out;
  const counts = { create: 0, update: 0, delete: 0, conflict: 0, unchanged: 0 };
  const where = plan.connection ? `connection "${plan.connection.name}"` : 'the default connection';
  for (const item of plan.items) {
    switch (item.kind) {
      case 'create':
        counts.create++;
        out.out(paint.added(`+ ${item.file.fileName}: create "${item.file.values.name}" on ${where}`));
        for (const line of describeChanges({}, item.file.values, paint)) out.out(line);
        break;
      case 'update':
        counts.update++;
        out.out(
          paint.changed(`~ ${item.file.fileName}: update "${item.assistant.name}" (${item.assistant.id})`),
        );
        for (const line of describeChanges(fieldValuesOf(item.assistant), item.file.values, paint))
          out.out(line);
        break;
      case 'conflict':
        counts.conflict++;
        out.out(paint.removed(`! ${item.file.fileName}: conflict: ${item.reason}`));
        break;
      case 'delete':
        counts.delete++;
        out.out(
          paint.removed(
            `- ${fileNameOf(item.slug)}: delete assistant ${item.entry.id} (the file is gone; --prune)`,
          ),
        );
        break;
      case 'untracked':
        out.out(
          `  ${fileNameOf(item.slug)} is gone; its assistant ${item.entry.id} stays (apply --prune deletes it)`,
        );
        break;
      case 'record':
        counts.unchanged++;
        out.out(
          `= ${item.file.fileName}: the server already has this (version ${item.assistant.version}); apply records it in the lock`,
        );
        break;
      case 'unchanged':
        counts.unchanged++;
        break;
    }
  }
  const org = `organization "${plan.who.orgName}"`;
  const changes = counts.create + counts.update + counts.delete;
  out.out(
    changes + counts.conflict === 0
      ? `No changes: the files match ${org} (${counts.unchanged} assistants).`
      : `Plan for ${org}: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete, ${counts.conflict} in conflict, ${counts.unchanged} unchanged.`,
  );
  return { changes, conflicts: counts.conflict };
}

function trackedIds(organization: OrganizationLock): Set<string> {
  return new Set(Object.values(organization.assistants).map((entry) => entry.id));
}
