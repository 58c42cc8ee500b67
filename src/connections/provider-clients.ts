// Turns a connection into the provider client the assistants service calls: the key unsealed,
// the right client for its provider (the sandbox's is the in-process emulator), and the
// connection's status kept true by every call: a refused key marks it `invalid`, any success
// sets it back to `ok`, and the provider account is recorded once an answer shows it.
import type { Caches } from '../db/caches.ts';
import type { ConnectionRow } from '../db/schema.ts';
import { ProviderError } from '../errors.ts';
import type { AssistantProvider, ProviderAssistant } from '../providers/provider.ts';
import { RetellProvider } from '../providers/retell/client.ts';
import type { Sandbox } from '../providers/sandbox/sandbox.ts';
import { VapiClient, type VapiClientOptions } from '../providers/vapi/vapi-client.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { ConnectionProvider, ConnectionRepository } from './connection-repository.ts';

/** Timeouts and retry policy shared by every client (VapiClientOptions less the key and URL). */
export type ClientSettings = Omit<VapiClientOptions, 'apiKey' | 'baseUrl'>;

export const PROVIDER_LABELS: Record<ConnectionProvider, string> = {
  vapi: 'Vapi',
  retell: 'Retell',
  sandbox: 'the sandbox',
};

export class ProviderClients {
  /** Clients by connection, rebuilt when the row changes (a rotated key, a new status). */
  private readonly built = new Map<string, { row: ConnectionRow; client: AssistantProvider }>();

  constructor(
    private readonly repo: Pick<ConnectionRepository, 'findById' | 'setStatus' | 'learnAccount'>,
    private readonly secrets: SecretBox,
    private readonly sandbox: Sandbox,
    private readonly caches: Caches,
    private readonly settings: ClientSettings,
  ) {}

  /** The provider behind `connectionId`, or a 500 when the connection is gone (it cannot be while in use). */
  async forConnection(connectionId: string): Promise<AssistantProvider> {
    const row = await this.caches.connections.getOrLoad(connectionId, () => this.repo.findById(connectionId));
    if (!row) throw new Error(`connection ${connectionId} does not exist`);
    const built = this.built.get(row.id);
    // Any change to the row (key, status, account) moves updatedAt; rows read anew compare equal.
    if (built && built.row.updatedAt.getTime() === row.updatedAt.getTime()) return built.client;
    const client = this.tracked(row, await this.rawClient(row));
    this.built.set(row.id, { row, client });
    return client;
  }

  /** A client for a key that is not stored yet, to check it first. */
  probe(provider: ConnectionProvider, baseUrl: string, apiKey: string): AssistantProvider {
    if (provider === 'vapi') return new VapiClient({ ...this.settings, apiKey, baseUrl });
    if (provider === 'retell') return new RetellProvider({ ...this.settings, apiKey, baseUrl });
    throw new Error(`no client for ${provider} keys`);
  }

  /** The client for a stored connection, without status tracking (a check records its own). */
  async rawClient(row: ConnectionRow): Promise<AssistantProvider> {
    if (row.provider === 'sandbox') {
      return new VapiClient({
        ...this.settings,
        apiKey: this.sandbox.tokenFor(row.id),
        baseUrl: await this.sandbox.baseUrl(),
      });
    }
    if (!row.apiKeySealed || !row.baseUrl) throw new Error(`connection ${row.id} has no key`);
    return this.probe(
      row.provider as ConnectionProvider,
      row.baseUrl,
      this.secrets.open(row.apiKeySealed, row.id),
    );
  }

  private tracked(row: ConnectionRow, client: AssistantProvider): AssistantProvider {
    const observe = async <T>(call: () => Promise<T>): Promise<T> => {
      let result: T;
      try {
        result = await call();
      } catch (error) {
        if (error instanceof ProviderError && error.code === 'provider_key_rejected') {
          await this.changed(row, () => this.repo.setStatus(row.id, 'invalid'));
          throw keyRejectedAtRunTime(row);
        }
        throw error;
      }
      if (row.status !== 'ok') await this.changed(row, () => this.repo.setStatus(row.id, 'ok'));
      if (row.providerAccountId === null) {
        const account = accountShownBy(client, result);
        if (account) await this.changed(row, () => this.repo.learnAccount(row.id, account));
      }
      return result;
    };
    return {
      create: (config, mark) => observe(() => client.create(config, mark)),
      get: (id, stored) => observe(() => client.get(id, stored)),
      update: (id, changes, current) => observe(() => client.update(id, changes, current)),
      delete: (id) => observe(() => client.delete(id)),
      listAll: (beforePage) => observe(() => client.listAll(beforePage)),
      findCreated: (mark, since) => observe(() => client.findCreated(mark, since)),
      checkKey: () => observe(() => client.checkKey()),
      markOf: (assistant) => client.markOf(assistant),
      accountOf: (assistant) => client.accountOf(assistant),
    };
  }

  /** Writes a status change and forgets this server's copy of the row at once. */
  private async changed(row: ConnectionRow, write: () => Promise<void>): Promise<void> {
    await write();
    this.caches.connections.invalidate(row.id);
    this.built.delete(row.id);
  }
}

function accountShownBy(client: AssistantProvider, result: unknown): string | null {
  const first = Array.isArray(result) ? result[0] : result;
  if (typeof first !== 'object' || first === null || !('id' in first)) return null;
  return client.accountOf(first as ProviderAssistant);
}

function keyRejectedAtRunTime(row: ConnectionRow): ProviderError {
  const provider = PROVIDER_LABELS[row.provider as ConnectionProvider];
  return new ProviderError(
    500,
    'provider_key_rejected',
    `${provider} refused the API key of the connection "${row.name}"; an admin must update the connection's key`,
  );
}
