// `npm run build:server`: bundles the server into dist/ (entry dist/server.js, which `npm start`
// runs). A few files load in a fraction of the time Node takes to resolve and read the hundreds of
// modules behind them (and no TypeScript is compiled at start). Measured in bench/README.md.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a hash; an earlier build's chunks must not pile up.
rmSync('dist', { recursive: true, force: true });
await build({
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
  // Bundled CommonJS code calls `require`, which an ES module does not have.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});
