// Drizzle over a client that refuses every query: for building statements and documents (the
// OpenAPI document, the committed SQL of the repositories) with no database and no data folder.
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Database } from './database.ts';
import * as schema from './schema.ts';

const refusingClient = {
  query: () => Promise.reject(new Error('a statement built offline was run')),
} as unknown as pg.Pool;

export function offlineDatabase(): Database {
  return drizzle({ client: refusingClient, schema }) as unknown as Database;
}
