// Security headers on every answer, in one of two fixed sets chosen by what the answer is:
// - JSON (the API, its errors, the OpenAPI document) gets the set OWASP's REST Security Cheat Sheet
//   gives for APIs: never stored by a cache, since answers carry private configuration; never
//   rendered or framed as a page. Headers that only steer a page (opener policy, referrer, DNS
//   prefetch, …) are left off: a JSON answer is not one.
// - Everything else (the dashboard, /docs, their scripts and styles) gets helmet's page headers.
// Helmet runs once per set, at start, against a recording response: @fastify/helmet built helmet's
// middleware again on every request, a measurable part of a cached GET's CPU (bench/README.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

const API_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/** The headers helmet sets for `options`, computed by running it against a recording response. */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/** `pageOptions` configure helmet for pages; JSON answers get the fixed API set. */
export function registerSecurityHeaders(app: FastifyInstance, pageOptions: HelmetOptions): void {
  const pageHeaders = helmetHeaders(pageOptions);
  const apiHeaders = { ...helmetHeaders(API_OPTIONS), 'cache-control': 'no-store' };
  // onSend, when the answer's type is known; callback-style, as it runs on every request.
  app.addHook('onSend', (_request, reply, _payload, done) => {
    const type = reply.getHeader('content-type');
    reply.headers(typeof type === 'string' && type.startsWith('application/json') ? apiHeaders : pageHeaders);
    done();
  });
}
