// The database as the server opens it: settings that hold on every open.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { openTestDatabase } from '../helpers/test-app.ts';

describe.skipIf(process.env.TEST_DATABASE === 'postgres')('embedded PGlite', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    ({ database } = await openTestDatabase());
  });
  afterAll(() => database.close());

  it('opens with 16 MB of shared buffers, not the 128 MB default that lives in our process', async () => {
    const result = await database.db.execute(sql`show shared_buffers`);
    const rows = (result as unknown as { rows: Array<{ shared_buffers: string }> }).rows;
    expect(rows[0]?.shared_buffers).toBe('16MB');
  });
});
