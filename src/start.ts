// `npm start` runs this first (bundled as dist/server.js). It sets PGlite's WebAssembly compiling
// on V8's background threads and only then loads the server, so the two overlap: about 0.15 s of
// start on the 2-core machine (bench/README.md).
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from './config/config.ts';
import { pgliteWasmModule } from './db/pglite-wasm.ts';

// V8 lets the old generation grow to several times what was live after the last full
// collection before it collects again; under load most of that is garbage kept resident. A fixed
// 1.5 keeps the process at about 140 instead of 200–250 MiB after the benchmark's load on
// PostgreSQL, with no measurable cost per request (bench/README.md). `npm start` also halves the
// young generation (--max-semi-space-size=8), which has to be set before V8 starts.
setFlagsFromString('--heap-growing-percent=50');

function embeddedDatabase(): boolean {
  try {
    return loadConfig().databaseUrl === undefined;
  } catch {
    return false; // server.ts reports the configuration's problems
  }
}

// A failure is reported when the database opens, which awaits the same compilation.
if (embeddedDatabase()) pgliteWasmModule().catch(() => {});
await import('./server.ts');
