// Keyset paging, newest first: rows strictly older than the cursor's (created_at, id).
import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

export function olderThan(createdAt: PgColumn, id: PgColumn, cursor: { createdAt: Date; id: string }): SQL {
  return or(lt(createdAt, cursor.createdAt), and(eq(createdAt, cursor.createdAt), lt(id, cursor.id))) as SQL;
}
