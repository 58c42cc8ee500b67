// Finishes what migration 0005 began, on start, idempotently: the Vapi connections it made for
// the old server-wide account get the server's VAPI_API_KEY or, without one, hand their
// assistants to the organization's sandbox (their stored configuration becomes the sandbox's
// copy, so nothing is lost). A migration cannot do this: it has neither the key nor the master key.
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { type Database, inTransaction } from '../db/database.ts';
import { assistants, type ConnectionRow, connections } from '../db/schema.ts';
import { SandboxStore } from '../providers/sandbox/sandbox-store.ts';
import type { EmulatedAssistant } from '../providers/vapi/emulator/emulator.ts';
import { ConnectionRepository } from './connection-repository.ts';
import type { ConnectionProvisioning, ProvisioningOptions } from './provisioning.ts';

export async function adoptLegacyAssistants(
  db: Database,
  provisioning: ConnectionProvisioning,
  serverVapi: ProvisioningOptions['serverVapi'],
  log: FastifyBaseLogger,
): Promise<void> {
  const repo = new ConnectionRepository(db);
  for (const legacy of await repo.keylessVapi()) {
    if (serverVapi) {
      await repo.update(legacy.id, {
        baseUrl: serverVapi.baseUrl,
        ...provisioning.sealKey(legacy.id, serverVapi.apiKey),
      });
      log.info(
        `connection "${legacy.name}" of organization ${legacy.orgId} now holds the server's VAPI_API_KEY`,
      );
    } else {
      const moved = await moveToSandbox(db, provisioning, legacy);
      log.warn(
        `VAPI_API_KEY is not set: moved ${moved} assistant(s) of organization ${legacy.orgId} from the old server-wide Vapi account into its sandbox`,
      );
    }
  }
}

async function moveToSandbox(db: Database, provisioning: ConnectionProvisioning, legacy: ConnectionRow) {
  return inTransaction(db, async (tx) => {
    const repo = new ConnectionRepository(tx);
    const sandbox =
      (await repo.list(legacy.orgId)).find((c) => c.provider === 'sandbox') ??
      (await provisioning.addSandbox(legacy.orgId, null, tx));
    const store = new SandboxStore(tx);
    const rows = await tx.select().from(assistants).where(eq(assistants.connectionId, legacy.id));
    for (const row of rows) {
      if (!row.providerAssistantId) continue;
      const now = new Date().toISOString();
      await store.insert(sandbox.id, {
        createdAt: row.createdAt.toISOString(),
        updatedAt: now,
        ...row.config,
        id: row.providerAssistantId,
        orgId: sandbox.id,
      } as EmulatedAssistant);
    }
    await tx
      .update(assistants)
      .set({ connectionId: sandbox.id, provider: 'sandbox' })
      .where(eq(assistants.connectionId, legacy.id));
    if ((await repo.defaultOf(legacy.orgId, tx)) === legacy.id)
      await repo.setDefault(legacy.orgId, sandbox.id, tx);
    await tx.delete(connections).where(eq(connections.id, legacy.id));
    return rows.length;
  });
}
