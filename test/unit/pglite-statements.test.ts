// PGlite's statements as the worker runs them (src/db/pglite-statements.ts): prepared once by SQL
// text, and answering exactly what PGlite's own `query` answers.
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteStatements, type StatementOptions } from '../../src/db/pglite-statements.ts';
import { pgliteWasmModule } from '../../src/db/pglite-wasm.ts';

const objects: StatementOptions = { rowMode: 'object', rawTypes: [] };

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create({ pgliteWasmModule: await pgliteWasmModule() });
  await db.exec(`create table item (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    n int,
    score float8,
    ok boolean,
    tags text[],
    doc jsonb,
    at timestamptz default now())`);
}, 60_000);
afterAll(() => db.close());

async function preparedCount(text: string): Promise<number> {
  const result = await db.query<{ n: number }>(
    'select count(*)::int as n from pg_prepared_statements where statement = $1',
    [text],
  );
  return result.rows[0]?.n ?? 0;
}

/** PGlite's own query, with the raw types kept as text the way Drizzle's parsers keep them. */
function pgliteQuery(text: string, params: unknown[], options: StatementOptions) {
  return db.query(text, params, {
    rowMode: options.rowMode,
    parsers: Object.fromEntries(options.rawTypes.map((type) => [type, (value: string) => value])),
  });
}

describe('PgliteStatements', () => {
  it('prepares a statement once and runs it again by name', async () => {
    const statements = new PgliteStatements(db);
    const text = 'select $1::int + 1 as next';
    expect((await statements.query(text, [1], objects, false)).rows).toEqual([{ next: 2 }]);
    expect((await statements.query(text, [41], objects, false)).rows).toEqual([{ next: 42 }]);
    expect(await preparedCount(text)).toBe(1);
  });

  it('answers what PGlite’s own query answers, for every column type, row mode and raw type', async () => {
    const statements = new PgliteStatements(db);
    const row = fc.record({
      name: fc.string({ maxLength: 20 }),
      n: fc.option(fc.integer({ min: -1000, max: 1000 })),
      score: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
      ok: fc.option(fc.boolean()),
      tags: fc.option(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })),
      doc: fc.option(fc.jsonValue()),
    });
    const options = fc.record({
      rowMode: fc.constantFrom<'array' | 'object'>('array', 'object'),
      rawTypes: fc.subarray([1184, 3802, 1009]),
    });
    const insert =
      'insert into item (name, n, score, ok, tags, doc) values ($1, $2, $3, $4, $5, $6) returning *';
    await fc.assert(
      fc.asyncProperty(row, options, async (values, queryOptions) => {
        // `jsonValue` may hold NUL characters, which PostgreSQL's text cannot; Drizzle sends JSON as text.
        const doc = values.doc === null ? null : JSON.stringify(values.doc).replaceAll('\\u0000', '');
        const params = [
          values.name.replaceAll('\0', ''),
          values.n,
          values.score,
          values.ok,
          values.tags,
          doc,
        ];
        const ours = await statements.query(insert, params, queryOptions, false);
        const theirs = await pgliteQuery(insert, params, queryOptions);
        const id = (row: unknown) => (Array.isArray(row) ? row[0] : (row as { id: string }).id);
        const withoutIds = (result: { rows: unknown[] }) =>
          result.rows.map((row) =>
            Array.isArray(row) ? row.slice(1, -1) : { ...(row as object), id: 0, at: 0 },
          );
        expect(withoutIds(ours)).toEqual(withoutIds(theirs));
        expect(ours.fields).toEqual(theirs.fields);
        expect(ours.affectedRows).toBe(theirs.affectedRows);
        const select = 'select * from item where id = $1';
        const again = await statements.query(select, [id(ours.rows[0])], queryOptions, false);
        const direct = await pgliteQuery(select, [id(ours.rows[0])], queryOptions);
        expect(again).toEqual(direct);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps at most its capacity, closing the least recently used statement', async () => {
    const statements = new PgliteStatements(db, 2);
    const [a, b, c] = ['select 1 as a', 'select 2 as b', 'select 3 as c'];
    await statements.query(a, [], objects, false);
    await statements.query(b, [], objects, false);
    await statements.query(a, [], objects, false);
    await statements.query(c, [], objects, false);
    expect([await preparedCount(a), await preparedCount(b), await preparedCount(c)]).toEqual([1, 0, 1]);
  });

  it("fails with PostgreSQL's code, column and the statement, and runs the next statement normally", async () => {
    const statements = new PgliteStatements(db);
    const insert = 'insert into item (name) values ($1)';
    const failed = await statements.query(insert, [null], objects, false).catch((error) => error);
    expect(failed).toMatchObject({ code: '23502', column: 'name', query: insert });
    const bad = await statements.query('select nope from item', [], objects, false).catch((error) => error);
    expect(bad).toMatchObject({ code: '42703', query: 'select nope from item' });
    expect((await statements.query(insert, ['fine'], objects, false)).affectedRows).toBe(1);
  });

  it('follows a change of schema under a prepared statement', async () => {
    const statements = new PgliteStatements(db);
    await db.exec('create table shape (a int); insert into shape values (1)');
    const text = 'select * from shape';
    expect((await statements.query(text, [], objects, false)).rows).toEqual([{ a: 1 }]);
    await db.exec('alter table shape add column b int default 2');
    expect((await statements.query(text, [], objects, false)).rows).toEqual([{ a: 1, b: 2 }]);
  });

  it('runs inside an open transaction, and a statement prepared in one that rolled back still runs', async () => {
    const statements = new PgliteStatements(db);
    const text = 'insert into item (name) values ($1) returning name';
    // Assertions inside the transaction would be swallowed with the rollback: the rows come out.
    const rollBack = new Error('roll back');
    let inside: unknown[] | undefined;
    const outcome = await db
      .transaction(async () => {
        inside = (await statements.query(text, ['kept?'], objects, true)).rows;
        throw rollBack;
      })
      .catch((error) => error);
    expect(outcome).toBe(rollBack);
    expect(inside).toEqual([{ name: 'kept?' }]);
    const count = await db.query<{ n: number }>(`select count(*)::int as n from item where name = 'kept?'`);
    expect(count.rows[0]?.n).toBe(0);
    expect((await statements.query(text, ['after'], objects, false)).rows).toEqual([{ name: 'after' }]);
  });
});
