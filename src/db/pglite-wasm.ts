// PGlite's WebAssembly is 9 MB; V8 takes a noticeable part of the start on background threads to
// compile it (bench/README.md).
// Compiled once per process and handed to every PGlite thread that `openDatabase` starts, so the
// test suites' many in-memory databases share one compilation. (`npm start`'s early open lets its
// thread compile its own: nothing else is loaded yet to share it with.)
import { readFile } from 'node:fs/promises';

let compiled: Promise<WebAssembly.Module> | undefined;

export function pgliteWasmModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(new URL(import.meta.resolve('@electric-sql/pglite/pglite.wasm'))).then((bytes) =>
    WebAssembly.compile(bytes),
  );
  return compiled;
}
