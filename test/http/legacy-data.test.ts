// A database from before connections keeps working: its assistants move onto a connection made
// from the server's VAPI_API_KEY, or, without one, into their organization's sandbox with their
// stored configuration, and every organization gets its starting connections. Nothing is lost.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServices } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { projectPath } from '../../src/config/paths.ts';
import { adoptLegacyAssistants } from '../../src/connections/legacy-assistants.ts';
import type { Database, DatabaseHandle } from '../../src/db/database.ts';
import { assistants, connections, organizations, sandboxAssistants } from '../../src/db/schema.ts';
import { SecretBox } from '../../src/secrets/secret-box.ts';
import { openTestDatabase } from '../helpers/test-app.ts';

const log = pino({ level: 'silent' });
const secrets = new SecretBox({ current: Buffer.alloc(32, 7) });
const LEGACY_CONFIG = {
  id: 'legacy-vapi-id-1',
  orgId: '00000000-0000-4000-8000-00000000e001',
  name: 'Legacy front desk',
  model: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'system', content: 'Be kind.' }] },
  voice: { provider: '11labs', voiceId: 'burt' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

let opened: DatabaseHandle | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

/** Migrations up to 0004 (before connections), one organization with an assistant and one without, then every migration. */
async function legacyDatabase(): Promise<{
  db: Database;
  withAssistant: string;
  empty: string;
  assistantId: string;
}> {
  const { database } = await openTestDatabase();
  opened = database;
  const folder = mkdtempSync(join(tmpdir(), 'switchboard-migrations-'));
  try {
    cpSync(projectPath('src', 'db', 'migrations'), folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
    journal.entries = journal.entries.filter((entry: { idx: number }) => entry.idx <= 4);
    writeFileSync(journalPath, JSON.stringify(journal));
    // What drizzle's migrate() does for either driver, with this folder.
    const db = database.db as unknown as {
      dialect: { migrate(migrations: unknown, session: unknown, config: unknown): Promise<void> };
      session: unknown;
    };
    await db.dialect.migrate(readMigrationFiles({ migrationsFolder: folder }), db.session, {
      migrationsFolder: folder,
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const rows = await database.db.execute(sql`
    with o1 as (insert into organizations (name) values ('Old org') returning id),
         o2 as (insert into organizations (name) values ('Quiet org') returning id),
         a as (insert into assistants (org_id, provider, provider_assistant_id, config, version)
               select id, 'vapi', ${LEGACY_CONFIG.id}, ${JSON.stringify(LEGACY_CONFIG)}::jsonb, 3 from o1 returning id, org_id)
    select (select id from o1) as with_assistant, (select id from o2) as empty, (select id from a) as assistant_id`);
  const [row] = (rows as unknown as { rows: Array<Record<string, string>> }).rows;
  await database.migrate();
  return {
    db: database.db,
    withAssistant: row?.with_assistant as string,
    empty: row?.empty as string,
    assistantId: row?.assistant_id as string,
  };
}

function servicesFor(db: Database, env: Record<string, string>) {
  return createServices(loadConfig(env), db, log, { secrets });
}

async function connectionsOf(db: Database, orgId: string) {
  const rows = await db.select().from(connections).where(eq(connections.orgId, orgId));
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
  return rows.map((c) => ({ ...c, isDefault: c.id === org?.defaultConnectionId }));
}

describe('data from before connections', () => {
  it('with VAPI_API_KEY: the assistants move onto a Vapi connection that holds the server key', async () => {
    const { db, withAssistant, empty, assistantId } = await legacyDatabase();
    const env = { VAPI_API_KEY: 'server-wide-key-9876', VAPI_BASE_URL: 'http://127.0.0.1:9' };
    const services = servicesFor(db, env);
    const serverVapi = { apiKey: env.VAPI_API_KEY, baseUrl: env.VAPI_BASE_URL };
    await adoptLegacyAssistants(db, services.provisioning, serverVapi, log);
    await adoptLegacyAssistants(db, services.provisioning, serverVapi, log);

    const theirs = await connectionsOf(db, withAssistant);
    const vapi = theirs.find((c) => c.provider === 'vapi');
    expect(vapi).toMatchObject({ baseUrl: env.VAPI_BASE_URL, keyHint: '9876', isDefault: true });
    expect(secrets.open(vapi?.apiKeySealed as string, vapi?.id as string)).toBe(env.VAPI_API_KEY);
    expect(theirs.filter((c) => c.provider === 'sandbox')).toHaveLength(1);
    const [moved] = await db.select().from(assistants).where(eq(assistants.id, assistantId));
    expect(moved).toMatchObject({
      connectionId: vapi?.id,
      provider: 'vapi',
      version: 3,
      config: LEGACY_CONFIG,
    });
    // The organization without assistants gets its sandbox, and never the server key.
    expect((await connectionsOf(db, empty)).map((c) => [c.provider, c.isDefault])).toEqual([
      ['sandbox', true],
    ]);
    await services.sandbox.close();
  });

  it('without VAPI_API_KEY: the assistants move into their sandbox with their configuration, and stay editable', async () => {
    const { db, withAssistant, assistantId } = await legacyDatabase();
    const services = servicesFor(db, {});
    await adoptLegacyAssistants(db, services.provisioning, undefined, log);
    try {
      const theirs = await connectionsOf(db, withAssistant);
      expect(theirs.map((c) => [c.provider, c.isDefault])).toEqual([['sandbox', true]]);
      // The old account's connection is gone: its assistants all moved.
      const [moved] = await db.select().from(assistants).where(eq(assistants.id, assistantId));
      expect(moved).toMatchObject({ connectionId: theirs[0]?.id, provider: 'sandbox', version: 3 });
      const [copy] = await db
        .select()
        .from(sandboxAssistants)
        .where(eq(sandboxAssistants.id, LEGACY_CONFIG.id));
      expect(copy?.assistant).toMatchObject({ name: LEGACY_CONFIG.name, model: LEGACY_CONFIG.model });

      const actor = {
        userId: null,
        apiKeyId: null,
        label: 'test',
        requestId: 'r',
        orgId: withAssistant,
        role: 'owner' as const,
      };
      const edited = await services.assistants.update(actor, assistantId, { model: { temperature: 0.3 } });
      expect(edited).toMatchObject({ version: 4 });
      expect(edited.config.model).toMatchObject({ temperature: 0.3, messages: LEGACY_CONFIG.model.messages });
    } finally {
      await services.sandbox.close();
    }
  });
});
