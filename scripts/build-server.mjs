// `npm run build:server`: bundles the server into dist/ (entry dist/server.js, which `npm start`
// runs), and the `switchboard` command into dist/switchboard.js (the package's bin), which so needs
// neither tsx nor TypeScript at run time. A few files load in a fraction of the time Node takes to resolve and read the hundreds of
// modules behind them (and no TypeScript is compiled at start). Measured in bench/README.md.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Bundled CommonJS code (yaml, pino…) calls `require`, which an ES module does not have.
const REQUIRE_BANNER = {
  js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};

// Chunk names carry a hash; an earlier build's chunks must not pile up.
rmSync('dist', { recursive: true, force: true });
const server = build({
  // dist/server.js is src/start.ts: small, so it starts PGlite opening on its thread
  // (dist/pglite-worker.js, src/db/pglite-thread.ts) before the rest of the server, a chunk of its
  // own, is even read.
  entryPoints: { server: 'src/start.ts', 'pglite-worker': 'src/db/pglite-worker.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Left as imports: packages that read files next to their own code (PGlite's WebAssembly and
  // data files, the static assets of the docs page and the file server), a native addon, and
  // pg's optional native binding.
  external: [
    '@electric-sql/pglite',
    '@fastify/swagger-ui',
    '@fastify/static',
    '@node-rs/argon2',
    'pg-native',
  ],
  banner: REQUIRE_BANNER,
});
// One file of its own, apart from the server's chunks: the command loads only what it uses. esbuild
// keeps the entry's `#!/usr/bin/env node` line first.
const command = build({
  entryPoints: { switchboard: 'src/cli/switchboard.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  banner: REQUIRE_BANNER,
});
await Promise.all([server, command]);
