// Connections: an organization's accounts at voice platforms. Admins add, rename, rotate, check
// and remove them; every key is checked with one cheap read before it is stored, and stored only
// sealed. The assistants service asks here which connection a request means and for its client.
import { randomUUID } from 'node:crypto';
import { type AuditLog, auditEvent, writeAudit } from '../audit/audit-log.ts';
import type { Actor, UserCaller } from '../auth/actor.ts';
import { type Database, inTransaction } from '../db/database.ts';
import type { ConnectionRow } from '../db/schema.ts';
import { AppError, conflict, notFound, ProviderError, validationError } from '../errors.ts';
import type { OrgService } from '../orgs/org-service.ts';
import type { AssistantProvider } from '../providers/provider.ts';
import { codedCause } from '../shared/error-cause.ts';
import type { ConnectionProvider, ConnectionRepository, ConnectionStatus } from './connection-repository.ts';
import { PROVIDER_LABELS, type ProviderClients } from './provider-clients.ts';
import { type ConnectionProvisioning, SANDBOX_NAME } from './provisioning.ts';

export const DEFAULT_BASE_URLS: Record<Exclude<ConnectionProvider, 'sandbox'>, string> = {
  vapi: 'https://api.vapi.ai',
  retell: 'https://api.retellai.com',
};

export interface NewConnectionInput {
  provider: ConnectionProvider;
  name: string;
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
}

export interface ConnectionChanges {
  name?: string | undefined;
  apiKey?: string | undefined;
}

export interface ConnectionView extends ConnectionRow {
  isDefault: boolean;
}

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

export class ConnectionService {
  constructor(
    private readonly db: Database,
    private readonly repo: ConnectionRepository,
    private readonly orgs: Pick<OrgService, 'requireRole'>,
    private readonly audit: AuditLog,
    private readonly clients: ProviderClients,
    private readonly provisioning: ConnectionProvisioning,
  ) {}

  async list(caller: UserCaller, orgId: string): Promise<ConnectionView[]> {
    await this.orgs.requireRole(caller, orgId, 'viewer');
    return this.viewsOf(orgId);
  }

  /** The connections of the organization an actor acts in; the route's guard checked its role there. */
  listForActor(actor: Actor): Promise<ConnectionView[]> {
    return this.viewsOf(actor.orgId);
  }

  private async viewsOf(orgId: string): Promise<ConnectionView[]> {
    const [rows, defaultId] = await Promise.all([this.repo.list(orgId), this.repo.defaultOf(orgId)]);
    return rows.map((row) => ({ ...row, isDefault: row.id === defaultId }));
  }

  async get(caller: UserCaller, orgId: string, id: string): Promise<ConnectionView> {
    await this.orgs.requireRole(caller, orgId, 'viewer');
    return this.view(await this.find(orgId, id));
  }

  /** Checks the key with one read, then stores the connection with the key sealed; nothing is stored if the check fails. */
  async create(caller: UserCaller, orgId: string, raw: NewConnectionInput): Promise<ConnectionView> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const input = {
      ...raw,
      name: nameOf(raw.name),
      baseUrl: raw.baseUrl === undefined ? undefined : baseUrlOf(raw.baseUrl),
    };
    const event = auditEvent(
      caller,
      orgId,
      'connection.created',
      { type: 'connection', id: null },
      { provider: input.provider, name: input.name, baseUrl: input.baseUrl ?? null },
    );
    return this.audit.attempt(event, async () => {
      const id = randomUUID();
      const row = await (input.provider === 'sandbox'
        ? this.newSandbox(id, orgId, caller, input)
        : this.newAccountConnection(id, orgId, caller, input));
      const stored = await this.storeNamed(() =>
        inTransaction(this.db, async (tx) => {
          const stored = await this.repo.insert(row, tx);
          // An organization left without a default (SANDBOX=off) takes its first connection.
          if ((await this.repo.defaultOf(orgId, tx)) === null) await this.repo.setDefault(orgId, id, tx);
          await writeAudit(tx, {
            ...event,
            targetId: id,
            detail: { ...event.detail, baseUrl: stored.baseUrl, keyHint: stored.keyHint },
          });
          return stored;
        }),
      );
      return this.view(stored);
    });
  }

  /** Renames, or rotates the key (checked first; a key of another provider account is refused). */
  async update(caller: UserCaller, orgId: string, id: string, changes: ConnectionChanges) {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const current = await this.find(orgId, id);
    const rotating = changes.apiKey !== undefined;
    const event = auditEvent(
      caller,
      orgId,
      rotating ? 'connection.key_rotated' : 'connection.updated',
      { type: 'connection', id },
      { name: changes.name ?? current.name },
    );
    return this.audit.attempt(event, async () => {
      const update: Parameters<ConnectionRepository['update']>[1] = {};
      if (changes.name !== undefined) update.name = nameOf(changes.name);
      if (changes.apiKey !== undefined) {
        if (current.provider === 'sandbox')
          throw validationError([{ field: 'apiKey', message: 'the sandbox has no API key' }]);
        const baseUrl = current.baseUrl as string;
        const { accountId } = await this.checkNewKey(
          current.provider as ConnectionProvider,
          baseUrl,
          changes.apiKey,
        );
        if (accountId && current.providerAccountId && accountId !== current.providerAccountId) {
          throw conflict(
            'different_provider_account',
            `The new key reaches another ${PROVIDER_LABELS[current.provider as ConnectionProvider]} account (${accountId}) than this connection's (${current.providerAccountId}); add it as a new connection instead`,
          );
        }
        Object.assign(update, this.provisioning.sealKey(id, changes.apiKey), {
          providerAccountId: current.providerAccountId ?? accountId,
          status: 'ok',
          checkedAt: new Date(),
        });
      }
      const updated = await this.storeNamed(() =>
        inTransaction(this.db, async (tx) => {
          const row = await this.repo.update(id, update, tx);
          if (!row) throw notFound('Connection');
          await writeAudit(tx, { ...event, detail: { ...event.detail, keyHint: row.keyHint } });
          return row;
        }),
      );
      return this.view(updated);
    });
  }

  async delete(caller: UserCaller, orgId: string, id: string): Promise<void> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const current = await this.find(orgId, id);
    const event = auditEvent(
      caller,
      orgId,
      'connection.deleted',
      { type: 'connection', id },
      { name: current.name, provider: current.provider },
    );
    await this.audit.attempt(event, async () => {
      try {
        await inTransaction(this.db, async (tx) => {
          if ((await this.repo.defaultOf(orgId, tx)) === id) {
            throw conflict(
              'connection_is_default',
              `"${current.name}" is the organization's default connection; make another one the default first`,
            );
          }
          const using = await this.repo.assistantCount(id, tx);
          if (using > 0) throw inUse(current, using);
          // The organization's default, if it was this one, becomes none (a foreign key's set null).
          await this.repo.delete(id, tx);
          await writeAudit(tx, event);
        });
      } catch (error) {
        // An assistant created between the count and the delete.
        if (codedCause(error)?.code === FOREIGN_KEY_VIOLATION) throw inUse(current, 1);
        throw error;
      }
    });
  }

  /** One cheap read with the stored key; the answer is the connection with its new status. */
  async check(caller: UserCaller, orgId: string, id: string): Promise<ConnectionView> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const current = await this.find(orgId, id);
    let status: ConnectionStatus = 'ok';
    let accountId: string | null = null;
    let problem: string | undefined;
    try {
      ({ accountId } = await (await this.clients.rawClient(current)).checkKey());
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      status = error.code === 'provider_key_rejected' ? 'invalid' : 'unreachable';
      problem = error.message;
    }
    const event = auditEvent(
      caller,
      orgId,
      'connection.checked',
      { type: 'connection', id },
      { name: current.name, status, ...(problem ? { problem } : {}) },
    );
    const updated = await inTransaction(this.db, async (tx) => {
      const row = await this.repo.update(
        id,
        { status, checkedAt: new Date(), providerAccountId: current.providerAccountId ?? accountId },
        tx,
      );
      await writeAudit(tx, event);
      return row;
    });
    if (!updated) throw notFound('Connection');
    return this.view(updated);
  }

  async makeDefault(caller: UserCaller, orgId: string, id: string): Promise<ConnectionView> {
    await this.orgs.requireRole(caller, orgId, 'admin');
    const current = await this.find(orgId, id);
    await inTransaction(this.db, async (tx) => {
      await this.repo.setDefault(orgId, id, tx);
      await writeAudit(
        tx,
        auditEvent(
          caller,
          orgId,
          'connection.made_default',
          { type: 'connection', id },
          { name: current.name },
        ),
      );
    });
    return { ...current, isDefault: true };
  }

  /**
   * The connection a request in `orgId` means: the one named, or the organization's default.
   * Another organization's id is the same 400 as one that does not exist.
   */
  async resolve(orgId: string, connectionId: string | undefined): Promise<ConnectionRow> {
    if (connectionId === undefined) {
      const row = await this.repo.findDefault(orgId);
      if (row) return row;
      throw validationError([
        {
          field: 'connectionId',
          message: 'the organization has no default connection: name one, or add one first',
        },
      ]);
    }
    const row = await this.repo.findInOrg(orgId, connectionId);
    if (!row)
      throw validationError([{ field: 'connectionId', message: 'no such connection in this organization' }]);
    return row;
  }

  providerFor(connectionId: string): Promise<AssistantProvider> {
    return this.clients.forConnection(connectionId);
  }

  private async find(orgId: string, id: string): Promise<ConnectionRow> {
    const row = await this.repo.findInOrg(orgId, id);
    if (!row) throw notFound('Connection');
    return row;
  }

  private async view(row: ConnectionRow): Promise<ConnectionView> {
    return { ...row, isDefault: (await this.repo.defaultOf(row.orgId)) === row.id };
  }

  private async newSandbox(id: string, orgId: string, caller: UserCaller, input: NewConnectionInput) {
    const problems = [];
    if (input.apiKey !== undefined)
      problems.push({ field: 'apiKey', message: 'the sandbox takes no API key' });
    if (input.baseUrl !== undefined)
      problems.push({ field: 'baseUrl', message: 'the sandbox takes no base URL' });
    if (problems.length > 0) throw validationError(problems);
    return {
      id,
      orgId,
      provider: 'sandbox',
      name: input.name || SANDBOX_NAME,
      createdBy: caller.userId,
      checkedAt: new Date(),
    };
  }

  private async newAccountConnection(
    id: string,
    orgId: string,
    caller: UserCaller,
    input: NewConnectionInput,
  ) {
    if (input.apiKey === undefined)
      throw validationError([
        { field: 'apiKey', message: `is required for a ${PROVIDER_LABELS[input.provider]} connection` },
      ]);
    const baseUrl =
      input.baseUrl ?? DEFAULT_BASE_URLS[input.provider as Exclude<ConnectionProvider, 'sandbox'>];
    const { accountId } = await this.checkNewKey(input.provider, baseUrl, input.apiKey);
    return {
      id,
      orgId,
      provider: input.provider,
      name: input.name,
      baseUrl,
      ...this.provisioning.sealKey(id, input.apiKey),
      providerAccountId: accountId,
      status: 'ok',
      checkedAt: new Date(),
      createdBy: caller.userId,
    };
  }

  /** One cheap read with a key not stored yet; a refusal or no answer is a 400 and stores nothing. */
  private async checkNewKey(provider: ConnectionProvider, baseUrl: string, apiKey: string) {
    const label = PROVIDER_LABELS[provider];
    try {
      return await this.clients.probe(provider, baseUrl, apiKey).checkKey();
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.code === 'provider_key_rejected') {
        throw new AppError(
          400,
          'provider_key_rejected',
          `${label} refused the API key, so nothing was stored. ${label === 'Vapi' ? 'Vapi answers 401 when a public key is used where the private key is needed: use a private API key from the Vapi dashboard.' : 'Check that the key is current.'}`,
        );
      }
      throw new AppError(
        400,
        'provider_unreachable',
        `Could not reach ${label} at ${baseUrl} to check the key, so nothing was stored (${error.message})`,
      );
    }
  }

  /** Runs a write that may hit the per-organization unique name. */
  private async storeNamed<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (codedCause(error)?.code === UNIQUE_VIOLATION)
        throw conflict('connection_name_taken', 'Another connection of this organization has that name');
      throw error;
    }
  }
}

function nameOf(raw: string): string {
  const name = raw.trim();
  if (!name) throw validationError([{ field: 'name', message: 'must not be blank' }]);
  return name;
}

/**
 * An http(s) address with nothing that would leak or surprise: no user name or password (they
 * would be shown to every member and kept in the audit log), no query or fragment.
 */
function baseUrlOf(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw validationError([{ field: 'baseUrl', message: 'is not a valid URL' }]);
  }
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:'
      ? 'must be an http or https URL'
      : url.username || url.password
        ? 'must not contain a user name or password; put credentials in the API key'
        : url.search || url.hash
          ? 'must not have a query or fragment'
          : undefined;
  if (problem) throw validationError([{ field: 'baseUrl', message: problem }]);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function inUse(connection: ConnectionRow, assistants: number): AppError {
  const count = assistants === 1 ? 'An assistant still uses' : `${assistants} assistants still use`;
  return conflict('connection_in_use', `${count} the connection "${connection.name}"; delete them first`);
}
