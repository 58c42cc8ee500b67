// The sandbox's assistants in Switchboard's own database, one account per sandbox connection, so
// they outlive restarts. The emulator (Vapi's API and behaviour) reads and writes through this.
import { and, desc, eq } from 'drizzle-orm';
import { type Database, inTransaction } from '../../db/database.ts';
import { sandboxAssistants } from '../../db/schema.ts';
import type { EmulatedAssistant, EmulatorStore } from '../vapi/emulator/emulator.ts';

export class SandboxStore implements EmulatorStore {
  constructor(private readonly db: Database) {}

  async get(connectionId: string, id: string): Promise<EmulatedAssistant | undefined> {
    const [row] = await this.db
      .select({ assistant: sandboxAssistants.assistant })
      .from(sandboxAssistants)
      .where(this.one(connectionId, id))
      .limit(1);
    return row?.assistant as EmulatedAssistant | undefined;
  }

  async insert(connectionId: string, assistant: EmulatedAssistant): Promise<void> {
    await this.db.insert(sandboxAssistants).values({
      connectionId,
      id: assistant.id,
      assistant,
      createdAt: new Date(assistant.createdAt),
    });
  }

  update(
    connectionId: string,
    id: string,
    change: (current: EmulatedAssistant) => EmulatedAssistant,
  ): Promise<EmulatedAssistant | undefined> {
    return inTransaction(this.db, async (tx) => {
      const [row] = await tx
        .select({ assistant: sandboxAssistants.assistant })
        .from(sandboxAssistants)
        .where(this.one(connectionId, id))
        .for('update');
      if (!row) return undefined;
      const next = change(row.assistant as EmulatedAssistant);
      await tx.update(sandboxAssistants).set({ assistant: next }).where(this.one(connectionId, id));
      return next;
    });
  }

  async delete(connectionId: string, id: string): Promise<EmulatedAssistant | undefined> {
    const [row] = await this.db
      .delete(sandboxAssistants)
      .where(this.one(connectionId, id))
      .returning({ assistant: sandboxAssistants.assistant });
    return row?.assistant as EmulatedAssistant | undefined;
  }

  async all(connectionId: string): Promise<EmulatedAssistant[]> {
    const rows = await this.db
      .select({ assistant: sandboxAssistants.assistant })
      .from(sandboxAssistants)
      .where(eq(sandboxAssistants.connectionId, connectionId))
      .orderBy(desc(sandboxAssistants.createdAt));
    return rows.map((row) => row.assistant as EmulatedAssistant);
  }

  private one(connectionId: string, id: string) {
    return and(eq(sandboxAssistants.connectionId, connectionId), eq(sandboxAssistants.id, id));
  }
}
