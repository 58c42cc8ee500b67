// PGlite on a worker thread (src/db/pglite-worker.ts), behind the part of PGlite's interface that
// Drizzle and this project use: query, transaction, listen, close. In-process, PostgreSQL's
// WebAssembly took over a third of the main thread's time during updates; on its own thread it runs
// on the second core (bench/README.md).
import { Worker } from 'node:worker_threads';

export interface ThreadStart {
  /** A folder (made if missing), or none for a database in memory. */
  dataDir: string | undefined;
  settings: string[];
  /** Compiled already (src/db/pglite-wasm.ts); without it PGlite compiles its own, on this thread. */
  wasmModule?: WebAssembly.Module;
}

/**
 * PostgreSQL's default 128 MB of shared buffers lives inside PGlite's WebAssembly memory, in this
 * process. 16 MB holds a control plane's working set (the operating system caches the data files
 * behind it) and cuts PGlite's resident memory and its time to open by about a third or more
 * (figures in bench/README.md).
 */
export const PGLITE_SETTINGS = ['shared_buffers=16MB'];

let early: { dataDir: string; thread: PgliteThread } | undefined;

/**
 * `npm start` calls this first (src/start.ts), so PGlite opens on its thread while the rest of the
 * server loads; `openDatabase` then takes this thread up.
 */
export function openPgliteEarly(dataDir: string): void {
  early = { dataDir, thread: new PgliteThread({ dataDir, settings: PGLITE_SETTINGS }) };
}

/** The thread `openPgliteEarly` started for `dataDir`, once. */
export function takeEarlyPglite(dataDir: string): PgliteThread | undefined {
  if (early?.dataDir !== dataDir) return undefined;
  const { thread } = early;
  early = undefined;
  return thread;
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
}

// Under tsx or Vitest this module is TypeScript, and so is the worker; in the bundle both are JS.
// A worker does not take tsx's `--import` hooks, so TypeScript's worker registers tsx itself.
const RUNS_TYPESCRIPT = import.meta.url.endsWith('.ts');
const WORKER_FILE = new URL(RUNS_TYPESCRIPT ? './pglite-worker.ts' : './pglite-worker.js', import.meta.url);
const TYPESCRIPT_WORKER = `import('tsx/esm/api').then(({ register }) => {
  register();
  return import(${JSON.stringify(WORKER_FILE.href)});
});`;

/** The id of the worker's first message, which says whether PGlite opened. */
const OPENED = 0;

export class PgliteThread implements PgliteSession {
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Map<string, Set<(payload: string) => void>>();
  private readonly worker: Worker;
  private nextId = OPENED + 1;
  private exitError: Error | undefined;

  /**
   * Starts the thread; PGlite opens in it while this thread goes on. Requests sent meanwhile wait
   * in the worker's queue, and fail with PGlite's reason if it cannot open.
   */
  constructor(start: ThreadStart) {
    this.worker = RUNS_TYPESCRIPT
      ? new Worker(TYPESCRIPT_WORKER, { eval: true, workerData: start })
      : new Worker(WORKER_FILE, { workerData: start });
    this.worker.on('message', (message: Reply | Notification) => {
      if ('channel' in message) {
        for (const listener of this.listeners.get(message.channel) ?? []) listener(message.payload);
        return;
      }
      if (message.id === OPENED) {
        // If PGlite could not open, the worker exits next; every request fails with this.
        if (!message.ok) this.exitError = new Error(`PGlite could not open: ${message.error.message}`);
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
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the PGlite thread exited (code ${code})`)));
  }

  query(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<unknown> {
    return this.send(queryRequest(sql, params, options));
  }

  /** Runs `work` in one transaction; other statements wait until it commits or rolls back. */
  async transaction<T>(work: (tx: PgliteSession) => Promise<T>): Promise<T> {
    const tx = (await this.send({ kind: 'begin' })) as number;
    let result: T;
    try {
      result = await work({
        query: (sql, params = [], options = {}) => this.send({ ...queryRequest(sql, params, options), tx }),
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

  /** Closes PGlite (its last writes reach the folder), then ends the thread; after a failure, just ends it. */
  async close(): Promise<void> {
    if (!this.exitError) await this.send({ kind: 'close' });
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
