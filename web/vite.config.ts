import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is plain React; the automatic JSX runtime needs no plugin for a production build.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  oxc: { jsx: { runtime: 'automatic' } },
});
