// `npm start` runs this first (bundled as dist/server.js). It starts opening the embedded database
// on its own thread and only then loads the server, so the two overlap (bench/README.md).
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from './config/config.ts';
import { openPgliteEarly } from './db/pglite-thread.ts';

// V8 lets the old generation grow to several times what was live after the last full
// collection before it collects again; under load most of that is garbage kept resident. A fixed
// 1.5 keeps the process well below that after the benchmark's load, with no measurable cost per
// request (figures in bench/README.md). `npm start` also halves the
// young generation (--max-semi-space-size=8), which has to be set before V8 starts.
setFlagsFromString('--heap-growing-percent=50');

/** The embedded database's folder, when the configuration is valid and names no server. */
function embeddedDataDir(): string | undefined {
  try {
    const config = loadConfig();
    return config.databaseUrl === undefined ? config.dataDir : undefined;
  } catch {
    return undefined; // server.ts reports the configuration's problems
  }
}

// A failure to open is reported by the first statement, the migrations.
const dataDir = embeddedDataDir();
if (dataDir) openPgliteEarly(dataDir);
await import('./server.ts');
