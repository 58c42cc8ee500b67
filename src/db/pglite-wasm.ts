// PGlite's WebAssembly is 9 MB; V8 takes about 0.3 s to compile it, on background threads.
// Compiled once per process and handed to every PGlite instance, so `npm start` can set it going
// before the rest of the server loads (src/start.ts), and the test suites' many in-memory
// databases share one compilation.
import { readFile } from 'node:fs/promises';

let compiled: Promise<WebAssembly.Module> | undefined;

export function pgliteWasmModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(new URL(import.meta.resolve('@electric-sql/pglite/pglite.wasm'))).then((bytes) =>
    WebAssembly.compile(bytes),
  );
  return compiled;
}
