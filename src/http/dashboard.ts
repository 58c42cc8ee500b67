// Serves the dashboard's production build (web/dist) at `/`. The API keeps its own paths; the
// dashboard routes with the URL hash, so only real files are served here.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { projectPath } from '../config/paths.ts';

export const DASHBOARD_DIR = projectPath('web', 'dist');

export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  if (!existsSync(`${dir}/index.html`)) {
    app.log.warn(`the dashboard is not built (no ${dir}/index.html); run: npm run build:web`);
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>Switchboard</title><p>The dashboard is not built yet: run <code>npm run build:web</code>. The API is at <a href="/docs">/docs</a>.</p>',
        ),
    );
    return;
  }
  await app.register(fastifyStatic, { root: dir, wildcard: false, index: ['index.html'], schemaHide: true });
}
