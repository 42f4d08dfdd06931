import { type AddressInfo, createServer, type Server } from 'node:net';
import { CannotRunError } from './cli';

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

/** The port a server was asked to bind is taken; callers that know more say more (local/index.ts). */
export class PortInUseError extends CannotRunError {
  constructor(readonly port: number) {
    super(`port ${port} is in use: stop what is listening there or pass --port <another>`);
  }
}

/**
 * Binds a server to `port` on 127.0.0.1 (0 = any free port) and resolves the port it got; a port
 * already taken is a PortInUseError that says what to do.
 */
export function listenOnLoopback(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error);
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
