// PGlite on a worker thread (src/db/pglite-worker.ts), behind the part of PGlite's interface that
// Drizzle and this project use: query, exec, transaction, listen, close. In-process, PostgreSQL's
// WebAssembly took about 40% of the main thread's time during updates; on its own thread it runs
// on the second core (bench/README.md).
import { Worker } from 'node:worker_threads';

export interface ThreadStart {
  dataDir: string | undefined;
  settings: string[];
  wasmModule: WebAssembly.Module;
}

type QueryCall = {
  kind: 'query';
  sql: string;
  params: unknown[];
  rowMode: 'array' | 'object';
  rawTypes: number[];
  tx?: number;
};

/** What the main thread asks of the worker; each request carries an `id` its reply repeats. */
export type ThreadCall =
  | QueryCall
  | { kind: 'exec'; sql: string; tx?: number }
  | { kind: 'begin' }
  | { kind: 'end'; tx: number; commit: boolean }
  | { kind: 'listen' | 'unlisten'; channel: string }
  | { kind: 'close' };

export type ThreadRequest = ThreadCall & { id: number };

export type WireError = Record<string, unknown> & { message: string };

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireError };
type Notification = { channel: string; payload: string };

interface QueryOptions {
  rowMode?: 'array' | 'object';
  /** Drizzle's: each keeps its type's text as it is, which the worker does by the type's number. */
  parsers?: Record<number, unknown>;
}

/** What a statement sees: the database, or one open transaction. */
export interface PgliteSession {
  query(sql: string, params?: unknown[], options?: QueryOptions): Promise<unknown>;
  exec(sql: string): Promise<unknown>;
}

// Under tsx or Vitest this module is TypeScript, and so is the worker; in the bundle both are JS.
// A worker does not take tsx's `--import` hooks, so TypeScript's worker registers tsx itself.
const RUNS_TYPESCRIPT = import.meta.url.endsWith('.ts');
const WORKER_FILE = new URL(RUNS_TYPESCRIPT ? './pglite-worker.ts' : './pglite-worker.js', import.meta.url);
const TYPESCRIPT_WORKER = `import('tsx/esm/api').then(({ register }) => {
  register();
  return import(${JSON.stringify(WORKER_FILE.href)});
});`;

export class PgliteThread implements PgliteSession {
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Map<string, Set<(payload: string) => void>>();
  private nextId = 1;
  private exitError: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: Reply | Notification) => {
      if ('channel' in message) {
        for (const listener of this.listeners.get(message.channel) ?? []) listener(message.payload);
        return;
      }
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.ok) waiter?.resolve(message.result);
      else waiter?.reject(Object.assign(new Error(message.error.message), message.error));
    });
    const fail = (error: Error) => {
      this.exitError ??= error;
      for (const waiter of this.waiting.values()) waiter.reject(this.exitError);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the PGlite thread exited (code ${code})`)));
  }

  /** Starts the thread and resolves once PGlite is open in it. */
  static async open(start: ThreadStart): Promise<PgliteThread> {
    const worker = RUNS_TYPESCRIPT
      ? new Worker(TYPESCRIPT_WORKER, { eval: true, workerData: start })
      : new Worker(WORKER_FILE, { workerData: start });
    const thread = new PgliteThread(worker);
    // The worker's first message (id 0) says whether PGlite opened.
    await new Promise((resolve, reject) => thread.waiting.set(0, { resolve, reject }));
    return thread;
  }

  query(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<unknown> {
    return this.send(queryRequest(sql, params, options));
  }

  exec(sql: string): Promise<unknown> {
    return this.send({ kind: 'exec', sql });
  }

  /** Runs `work` in one transaction; other statements wait until it commits or rolls back. */
  async transaction<T>(work: (tx: PgliteSession) => Promise<T>): Promise<T> {
    const tx = (await this.send({ kind: 'begin' })) as number;
    let result: T;
    try {
      result = await work({
        query: (sql, params = [], options = {}) => this.send({ ...queryRequest(sql, params, options), tx }),
        exec: (sql) => this.send({ kind: 'exec', sql, tx }),
      });
    } catch (error) {
      await this.send({ kind: 'end', tx, commit: false }).catch(() => {});
      throw error;
    }
    await this.send({ kind: 'end', tx, commit: true });
    return result;
  }

  /** Several listeners may share a channel (two apps on one database in the tests); the worker listens once. */
  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let listeners = this.listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.listeners.set(channel, listeners);
      await this.send({ kind: 'listen', channel });
    }
    listeners.add(onPayload);
    return async () => {
      listeners.delete(onPayload);
      if (listeners.size > 0 || this.listeners.get(channel) !== listeners) return;
      this.listeners.delete(channel);
      await this.send({ kind: 'unlisten', channel });
    };
  }

  async close(): Promise<void> {
    await this.send({ kind: 'close' });
    await this.worker.terminate();
  }

  private send(request: ThreadCall): Promise<unknown> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }
}

function queryRequest(sql: string, params: unknown[], options: QueryOptions): QueryCall {
  return {
    kind: 'query',
    sql,
    params,
    rowMode: options.rowMode ?? 'object',
    rawTypes: Object.keys(options.parsers ?? {}).map(Number),
  };
}
