import { createServer } from 'node:net';

/**
 * A free loopback port, picked by the OS. It is released before the caller binds it, so a caller
 * that must win the port (a server of its own) binds port 0 directly instead.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
