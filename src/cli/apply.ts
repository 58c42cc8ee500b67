// `switchboard apply`: carries out the plan. Creates, conditional updates (If-Match with the lock's
// ETag) and, with --prune, deletes; each confirmed id, version and ETag goes into the lock, so a
// plan right after finds nothing to do. One assistant's failure stops only that assistant.
import { ApiError } from '../../web/src/api/client.ts';
import type { Assistant } from './api.ts';
import { createBodyOf, fieldValuesOf, patchBetween } from './fields.ts';
import { type LockEntry, lockEntryOf, readLock, withOrganization, writeLock } from './lock.ts';
import type { Output } from './output.ts';
import { describeVersion, type Plan, type PlanItem } from './plan.ts';
import type { Remote } from './remote.ts';
import { type AssistantFile, fileNameOf } from './workspace.ts';

export interface ApplyResult {
  applied: number;
  failed: number;
}

/** Applies every item it can, then records what the server confirmed in the lock, even after failures. */
export async function applyPlan(remote: Remote, dir: string, plan: Plan, out: Output): Promise<ApplyResult> {
  const entries: Record<string, LockEntry> = { ...plan.organization.assistants };
  const result: ApplyResult = { applied: 0, failed: 0 };
  try {
    for (const item of plan.items) {
      const outcome = await applyItem(remote, plan, item, entries).catch((error: unknown) =>
        failure(remote, item, error),
      );
      if (outcome?.ok) {
        result.applied++;
        out.out(out.paint.added(outcome.message));
      } else if (outcome) {
        result.failed++;
        out.err(out.paint.removed(outcome.message));
      }
    }
  } finally {
    const lock = readLock(dir);
    writeLock(dir, withOrganization(lock, plan.who.orgId, { name: plan.who.orgName, assistants: entries }));
  }
  return result;
}

interface Outcome {
  ok: boolean;
  message: string;
}

async function applyItem(
  remote: Remote,
  plan: Plan,
  item: PlanItem,
  entries: Record<string, LockEntry>,
): Promise<Outcome | undefined> {
  switch (item.kind) {
    case 'create': {
      const created = await remote.createAssistant(createBodyOf(item.file.values, plan.connection?.id));
      entries[item.file.slug] = lockEntryOf(created);
      return {
        ok: true,
        message: `created ${item.file.fileName} as ${created.assistant.id} (version ${created.assistant.version})`,
      };
    }
    case 'update': {
      const patch = patchBetween(fieldValuesOf(item.assistant), item.file.values);
      const etag = item.etag ?? (await etagOfPlanned(remote, item.assistant));
      // An update always changes something; an empty PATCH would only return the assistant.
      const updated = await remote.updateAssistant(item.assistant.id, patch ?? {}, etag);
      entries[item.file.slug] = lockEntryOf(updated);
      return { ok: true, message: `updated ${item.file.fileName} (version ${updated.assistant.version})` };
    }
    case 'record':
      entries[item.file.slug] = lockEntryOf(await remote.getAssistant(item.assistant.id));
      return undefined;
    case 'delete':
      await remote.deleteAssistant(item.entry.id);
      delete entries[item.slug];
      return { ok: true, message: `deleted ${item.entry.id} (its file ${fileNameOf(item.slug)} is gone)` };
    case 'conflict':
      return { ok: false, message: `${item.file.fileName}: not applied: ${item.reason}` };
    case 'unchanged':
    case 'untracked':
      return undefined;
  }
}

/**
 * The ETag of an assistant matched by slug alone (a promotion), which the lock has none of: read now,
 * and refused like a 412 if the assistant changed since the plan compared the file with it.
 */
async function etagOfPlanned(remote: Remote, planned: Assistant): Promise<string> {
  const current = await remote.getAssistant(planned.id);
  if (current.assistant.version !== planned.version)
    throw new ApiError(412, 'precondition_failed', 'The assistant changed since the plan read it');
  return current.etag;
}

/** Words for a refusal: who changed the assistant (412), which field of the file (400), or the server's message. */
async function failure(remote: Remote, item: PlanItem, error: unknown): Promise<Outcome> {
  if (!(error instanceof ApiError)) throw error;
  const file = 'file' in item ? item.file : undefined;
  const name = file?.fileName ?? ('slug' in item ? fileNameOf(item.slug) : '');
  if (error.status === 412 && item.kind === 'update') {
    const latest = await remote.latestVersion(item.assistant.id);
    return {
      ok: false,
      message: `${name}: not applied: the assistant changed on the server since the pull (${describeVersion(latest, item.assistant.version)}); nothing was overwritten. Take its version with \`switchboard pull --force\` (keep your edit in git), redo the edit, and plan again`,
    };
  }
  if (error.status === 400 && file && error.details.length > 0)
    return { ok: false, message: error.details.map((problem) => fieldProblem(file, problem)).join('\n') };
  return { ok: false, message: `${name}: the server refused it (HTTP ${error.status}): ${error.message}` };
}

function fieldProblem(file: AssistantFile, problem: { field: string; message: string }): string {
  const line = file.lines[problem.field as keyof AssistantFile['lines']];
  return `${file.fileName}${line ? `:${line}` : ''}: ${problem.field} ${problem.message}`;
}
