// Loopback ports for tests.
import { type AddressInfo, createServer } from 'node:net';

/**
 * A loopback port nothing listens on: free for a server to listen on, and connections to it are
 * refused until one does.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** For a test of a refused connection: the same as a free port, named for what the test means. */
export const closedPort = freePort;
