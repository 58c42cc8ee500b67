// The connections an organization starts with: its own sandbox (unless SANDBOX=off), and for the
// first organization the server's VAPI_API_KEY as its default. The server key is never given to
// any other organization.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { ConnectionRepository } from './connection-repository.ts';

export interface ProvisioningOptions {
  /** SANDBOX: each new organization gets a sandbox connection. */
  sandbox: boolean;
  /** VAPI_API_KEY and VAPI_BASE_URL, when set. */
  serverVapi?: { apiKey: string; baseUrl: string } | undefined;
}

export const SANDBOX_NAME = 'Sandbox';
export const SERVER_VAPI_NAME = 'Vapi';

export class ConnectionProvisioning {
  constructor(
    private readonly repo: ConnectionRepository,
    private readonly secrets: SecretBox,
    private readonly options: ProvisioningOptions,
  ) {}

  /** Run in the transaction that creates the organization. */
  async provision(orgId: string, createdBy: string | null, db: Database, { first = false } = {}) {
    const sandbox = this.options.sandbox ? await this.addSandbox(orgId, createdBy, db) : undefined;
    const server =
      first && this.options.serverVapi ? await this.addServerVapi(orgId, createdBy, db) : undefined;
    const defaultId = server?.id ?? sandbox?.id;
    if (defaultId) await this.repo.setDefault(orgId, defaultId, db);
  }

  addSandbox(orgId: string, createdBy: string | null, db: Database) {
    return this.repo.insert(
      { id: randomUUID(), orgId, provider: 'sandbox', name: SANDBOX_NAME, createdBy, checkedAt: new Date() },
      db,
    );
  }

  /** The server's key as a connection; not checked here, so a start never waits on Vapi. */
  private addServerVapi(orgId: string, createdBy: string | null, db: Database) {
    const { apiKey, baseUrl } = this.options.serverVapi as { apiKey: string; baseUrl: string };
    const id = randomUUID();
    return this.repo.insert(
      {
        id,
        orgId,
        provider: 'vapi',
        name: SERVER_VAPI_NAME,
        baseUrl,
        ...this.sealKey(id, apiKey),
        createdBy,
      },
      db,
    );
  }

  /** The key as stored: sealed to this connection, and its last 4 characters to tell it apart. */
  sealKey(connectionId: string, apiKey: string) {
    return { apiKeySealed: this.secrets.seal(apiKey, connectionId), keyHint: keyHintOf(apiKey) };
  }
}

export const keyHintOf = (apiKey: string) => apiKey.slice(-4);
