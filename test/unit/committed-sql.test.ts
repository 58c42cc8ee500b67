// The SQL of the statements that run on every update is committed beside the repository
// (src/assistants/assistant-repository.sql) so that a reviewer reads it; a change to a statement
// without `npm run gen:sql` fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateQueries, QUERIES_FILE } from '../../scripts/generate-queries.ts';
import { firstDifference } from '../helpers/first-difference.ts';

describe('src/assistants/assistant-repository.sql', () => {
  it('is what `npm run gen:sql` writes from the current statements', () => {
    const difference = firstDifference(readFileSync(QUERIES_FILE, 'utf8'), generateQueries());
    expect(difference, 'assistant-repository.sql is stale: run `npm run gen:sql`').toBeNull();
  });

  it('inserts the history row and the audit event only from the row the lease allowed to update', () => {
    // An empty `updated` (a lost lease) must insert nothing: each insert selects from it.
    const store = generateQueries()
      .split('-- name: ')
      .find((statement) => statement.startsWith('store_assistant_version\n'));
    const inserts = (store ?? '').split(/"(?:history|event)" as \(/).slice(1);
    expect(inserts).toHaveLength(2);
    for (const insert of inserts)
      expect(insert).toMatch(/^\s*insert into "\w+" \([^)]*\)\s+select [\s\S]* from "updated"\)/);
  });
});
