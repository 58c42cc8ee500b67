// The dashboard's API types (web/src/api/schema.d.ts) are generated from the OpenAPI document: a
// change to the API without `npm run gen:api` fails here, and one that breaks the dashboard's use
// of the API then fails `tsc --noEmit`, which covers web/ too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from '../../scripts/generate-api-types.ts';
import { firstDifference } from '../helpers/first-difference.ts';

describe('web/src/api/schema.d.ts', () => {
  it('is what `npm run gen:api` writes from the current API', async () => {
    const difference = firstDifference(readFileSync(SCHEMA_FILE, 'utf8'), await generateApiTypes());
    expect(difference, 'web/src/api/schema.d.ts is stale: run `npm run gen:api`').toBeNull();
  }, 60_000);
});
