// The worker end of src/db/pglite-thread.ts: PGlite runs here, on a thread of its own, so
// PostgreSQL's WebAssembly uses the second core while the main thread serves HTTP. It answers
// each request with `{id, ok, result | error}`, and forwards notifications as `{channel, payload}`
// in the order PGlite raises them: before the answer to the statement that raised them. Each
// statement runs prepared, once per SQL text (pglite-statements.ts).
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PgliteStatements } from './pglite-statements.ts';
import type { ThreadRequest, ThreadStart, WireError } from './pglite-thread.ts';

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs as a worker thread');

/** Thrown inside a transaction the main thread asked to roll back. */
class Rollback extends Error {}

interface OpenTransaction {
  tx?: Transaction;
  decide: (commit: boolean) => void;
  settled?: Promise<void>;
}

const start = workerData as ThreadStart;
const transactions = new Map<number, OpenTransaction>();
const unlistens = new Map<string, () => Promise<void>>();
let nextTransaction = 1;

let db: PGlite;
let statements: PgliteStatements;
try {
  if (start.dataDir) mkdirSync(start.dataDir, { recursive: true });
  db = await PGlite.create({
    ...(start.wasmModule ? { pgliteWasmModule: start.wasmModule } : {}),
    ...(start.dataDir ? { dataDir: start.dataDir } : {}),
    postgresqlconf: start.settings,
  });
  statements = new PgliteStatements(db);
  port.postMessage({ id: 0, ok: true });
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: wireError(error) });
  process.exit(1);
}

port.on('message', (request: ThreadRequest) => {
  handle(request).then(
    (result) => port.postMessage({ id: request.id, ok: true, result }),
    (error) => port.postMessage({ id: request.id, ok: false, error: wireError(error) }),
  );
});

async function handle(request: ThreadRequest): Promise<unknown> {
  switch (request.kind) {
    case 'query':
      if (request.tx !== undefined) openTransaction(request.tx);
      return statements.query(
        request.sql,
        request.params,
        { rowMode: request.rowMode, rawTypes: request.rawTypes },
        request.tx !== undefined,
      );
    case 'begin':
      return begin();
    case 'end':
      return end(request.tx, request.commit);
    case 'listen':
      unlistens.set(
        request.channel,
        await db.listen(request.channel, (payload) =>
          port?.postMessage({ channel: request.channel, payload }),
        ),
      );
      return null;
    case 'unlisten':
      await unlistens.get(request.channel)?.();
      unlistens.delete(request.channel);
      return null;
    case 'close':
      await db.close();
      return null;
  }
}

/** Checks that the main thread's transaction `tx` is the one PGlite holds open. */
function openTransaction(tx: number): void {
  const open = transactions.get(tx)?.tx;
  if (!open || open.closed) throw new Error(`transaction ${tx} is not open`);
}

/**
 * Opens a transaction that stays open across messages: PGlite's `transaction` callback waits
 * until the main thread decides, and every other statement waits for it meanwhile, as in-process.
 */
function begin(): Promise<number> {
  const id = nextTransaction++;
  return new Promise((begun, failed) => {
    let decide!: (commit: boolean) => void;
    const decided = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    const open: OpenTransaction = { decide };
    transactions.set(id, open);
    open.settled = db
      .transaction(async (tx) => {
        open.tx = tx;
        begun(id);
        if (!(await decided)) throw new Rollback();
      })
      .finally(() => transactions.delete(id));
    // Before `begun`, a failure is BEGIN's own; after it, `end` reports it.
    open.settled.catch(failed);
  });
}

async function end(id: number, commit: boolean): Promise<null> {
  const open = transactions.get(id);
  if (!open?.settled) throw new Error(`transaction ${id} is not open`);
  open.decide(commit);
  try {
    await open.settled;
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return null;
}

/** An error as plain data: PostgreSQL's fields (code, column, constraint…) survive the crossing. */
function wireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: WireError = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return fields;
}
