// `npm start` runs this first (bundled as dist/server.js). It sets PGlite's WebAssembly compiling
// on V8's background threads and only then loads the server, so the two overlap: about 0.15 s of
// start on the 2-core machine (bench/README.md).
import { loadConfig } from './config/config.ts';
import { pgliteWasmModule } from './db/pglite-wasm.ts';

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
