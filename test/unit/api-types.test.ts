// The dashboard's API types (web/src/api/schema.d.ts) are generated from the OpenAPI document: a
// change to the API without `npm run gen:api` fails here, and one that breaks the dashboard's use
// of the API then fails `tsc --noEmit`, which covers web/ too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from '../../scripts/generate-api-types.ts';

describe('web/src/api/schema.d.ts', () => {
  it('is what `npm run gen:api` writes from the current API', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const fresh = await generateApiTypes();
    // A plain equality check would print 6,000 lines; this names the first difference.
    const lines = { committed: committed.split('\n'), fresh: fresh.split('\n') };
    const at = lines.fresh.findIndex((line, i) => line !== lines.committed[i]);
    const first =
      at < 0 && lines.fresh.length === lines.committed.length
        ? null
        : `line ${at + 1}: committed ${JSON.stringify(lines.committed[at])}, generated ${JSON.stringify(lines.fresh[at])}`;
    expect(first, 'web/src/api/schema.d.ts is stale: run `npm run gen:api`').toBeNull();
  }, 60_000);
});
