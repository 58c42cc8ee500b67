// Graceful close: `app.close()` first lets every request finish, handler and answer, then drops
// the connections left, which are all idle by then.
// - Node's `server.close()` waits for connections, not handlers: a client that hangs up mid-PATCH
//   is gone while the handler still has the provider's answer to store, and shutdown would close
//   the database under that store.
// - It also waits forever on a connection that never sent a request (browsers open such spare
//   connections), so after the wait every connection is closed (`forceCloseConnections`).
import type { FastifyInstance, FastifyRequest } from 'fastify';

export function registerInFlightTracking(app: FastifyInstance): void {
  const running = new Set<FastifyRequest>();
  let wakeWhenIdle: Array<() => void> = [];
  const finished = (request: FastifyRequest) => {
    if (!running.delete(request) || running.size > 0) return;
    for (const wake of wakeWhenIdle) wake();
    wakeWhenIdle = [];
  };
  // Callback-style hooks: these run on every request, and an async hook costs a promise each.
  app.addHook('onRequest', (request, _reply, done) => {
    running.add(request);
    done();
  });
  // Every handler ends in a send (its answer, or the error handler's), even when no one listens;
  // the answer is done when its response closes: written in full, or its client gone.
  app.addHook('onSend', (request, reply, _payload, done) => {
    if (reply.raw.destroyed) finished(request);
    else reply.raw.once('close', () => finished(request));
    done();
  });
  app.addHook('preClose', async () => {
    if (running.size > 0) await new Promise<void>((resolve) => wakeWhenIdle.push(resolve));
  });
}
