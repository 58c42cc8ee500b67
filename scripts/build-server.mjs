// `npm run build:server`: bundles the server into dist/server.js, which `npm start` runs. One file
// loads in a fraction of the time Node takes to resolve and read the hundreds of modules behind it
// (and no TypeScript is compiled at start). Measured in bench/README.md.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/server.ts'],
  outfile: 'dist/server.js',
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
