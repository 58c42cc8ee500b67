// Named prepared statements for PGlite, one per SQL text. PGlite's own `query` sends every
// statement unnamed, in six calls into PostgreSQL (parse, describe, bind, describe, execute, sync),
// so PostgreSQL parses and plans it each time. Here a statement is parsed and described once; each
// run after that is one call (bind, execute, sync) on PostgreSQL's cached plan (bench/README.md).
import { type PGlite, parse, protocol, type Results } from '@electric-sql/pglite';

type BackendMessage = Awaited<ReturnType<PGlite['execProtocolStream']>>[number];
type Parsers = PGlite['parsers'];

export interface StatementOptions {
  rowMode: 'array' | 'object';
  /** Types whose text is returned as it is (Drizzle parses those itself). */
  rawTypes: number[];
}

interface Prepared {
  name: string;
  paramTypes: number[];
  /** What the statement returns; none for a statement without rows. */
  rowDescription: BackendMessage | undefined;
}

/** Unique in the process, so that two instances on one database never share a name. */
let nextName = 1;

/** PostgreSQL's "cached plan must not change result type", after the schema changed under a statement. */
const FEATURE_NOT_SUPPORTED = '0A000';

export class PgliteStatements {
  /** By SQL text, least recently used first. */
  private readonly prepared = new Map<string, Prepared>();
  private readonly parsersByRawTypes = new Map<string, Parsers>();

  constructor(
    private readonly db: PGlite,
    /** Statements kept at most; the least recently used is closed to make room. */
    private readonly capacity = 200,
  ) {}

  /**
   * What `db.query` (or a transaction's `query`) answers, with the same locking: `inTransaction`
   * when the caller runs inside the transaction PGlite holds open, otherwise the statement waits
   * for any open transaction to end.
   */
  query(sql: string, params: unknown[], options: StatementOptions, inTransaction: boolean): Promise<Results> {
    // runExclusive and _runExclusiveTransaction are PGlite's internals (PGLITE_INTERNALS_OF below).
    const run = () => this.db.runExclusive(() => this.run(sql, params, options, inTransaction));
    // The transactions' lock, which PGlite's own `query` takes too (it is in PGlite's typed interface).
    return inTransaction ? run() : this.db._runExclusiveTransaction(run);
  }

  private async run(
    sql: string,
    params: unknown[],
    options: StatementOptions,
    inTransaction: boolean,
    retried = false,
  ): Promise<Results> {
    const statement = await this.prepare(sql, params);
    let messages: BackendMessage[];
    try {
      messages = await this.db.execProtocolStream(
        Buffer.concat([
          protocol.serialize.bind({ statement: statement.name, values: this.serialize(params, statement) }),
          protocol.serialize.execute({}),
          protocol.serialize.sync(),
        ]),
        { syncToFs: false },
      );
    } catch (error) {
      if ((error as { code?: string }).code === FEATURE_NOT_SUPPORTED) {
        // Prepared again on the next run. Outside a transaction nothing ran, so this run can retry.
        await this.close(sql);
        if (!inTransaction && !retried) return this.run(sql, params, options, inTransaction, true);
      }
      throw withStatement(error, sql, params);
    }
    if (!inTransaction) await this.db.syncToFs();
    const parsed = parse.parseResults(
      statement.rowDescription ? [statement.rowDescription, ...messages] : messages,
      this.parsers(options.rawTypes),
      { rowMode: options.rowMode },
    );
    return parsed[0] as Results;
  }

  private async prepare(sql: string, params: unknown[]): Promise<Prepared> {
    const found = this.prepared.get(sql);
    if (found) {
      this.prepared.delete(sql);
      this.prepared.set(sql, found);
      return found;
    }
    const name = `switchboard_${nextName++}`;
    let messages: BackendMessage[];
    try {
      messages = await this.db.execProtocolStream(
        Buffer.concat([
          protocol.serialize.parse({ name, text: sql }),
          protocol.serialize.describe({ type: 'S', name }),
          protocol.serialize.sync(),
        ]),
        { syncToFs: false },
      );
    } catch (error) {
      throw withStatement(error, sql, params);
    }
    const statement: Prepared = {
      name,
      paramTypes: parse.parseDescribeStatementResults(messages),
      rowDescription: messages.find((message) => message.name === 'rowDescription'),
    };
    this.prepared.set(sql, statement);
    const oldest = this.prepared.keys().next().value;
    if (this.prepared.size > this.capacity && oldest !== undefined) await this.close(oldest);
    return statement;
  }

  private async close(sql: string): Promise<void> {
    const statement = this.prepared.get(sql);
    if (!statement) return;
    this.prepared.delete(sql);
    await this.db.execProtocolStream(
      Buffer.concat([
        protocol.serialize.close({ type: 'S', name: statement.name }),
        protocol.serialize.sync(),
      ]),
      { syncToFs: false },
    );
  }

  /** As PGlite's `query` does it: by the parameter's type, as text. */
  private serialize(params: unknown[], statement: Prepared): Array<string | null> {
    return params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const serializer = this.db.serializers[statement.paramTypes[i] ?? 0];
      return serializer ? serializer(param) : String(param);
    });
  }

  /** PGlite's parsers with the raw types' replaced, built once per set rather than per query. */
  private parsers(rawTypes: number[]): Parsers {
    if (rawTypes.length === 0) return this.db.parsers;
    const key = rawTypes.join(',');
    let parsers = this.parsersByRawTypes.get(key);
    if (!parsers) {
      parsers = { ...this.db.parsers };
      for (const type of rawTypes) parsers[type] = (value: string) => value;
      this.parsersByRawTypes.set(key, parsers);
    }
    return parsers;
  }
}

/** Like PGlite's own errors: the statement and its parameters ride along. */
function withStatement(error: unknown, sql: string, params: unknown[]): unknown {
  if (error instanceof Error) Object.assign(error, { query: sql, params });
  return error;
}

/**
 * The PGlite release whose internal locks (`runExclusive`, `_runExclusiveTransaction`) this file
 * takes; package.json pins it, and test/unit/pinned-internals.test.ts fails if another is installed.
 */
export const PGLITE_INTERNALS_OF = '0.5.16';
