import { createServer, type Server, type Socket } from 'node:net';
import { freeLoopbackPort } from '../common/net';
import { functionSettings } from '../definitions/function';
import { type Answer, type FunctionInstance, startFunction } from './support/bundle';
import { functionEnv, uniqueTableName } from './support/dynamodb';

/** DynamoDB unreachable or stuck: the function answers 503 in time, as JSON, without a stack. */
const tableName = uniqueTableName('faults');
const functionTimeoutMs = functionSettings().timeoutSeconds * 1000;

function expectUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.body).toEqual(expect.objectContaining({ message: expect.any(String) }));
  expect(answer.rawBody).not.toMatch(/stack|\bat .+:\d+:\d+|Error:/);
}

describe('when DynamoDB is down (nothing listens on its port)', () => {
  let fn: FunctionInstance;

  beforeAll(async () => {
    const closedPort = await freeLoopbackPort();
    fn = await startFunction(functionEnv(tableName, `http://127.0.0.1:${closedPort}`));
  });

  afterAll(async () => {
    await fn?.stop();
  });

  it.each([
    ['GET', '/pets', undefined],
    ['GET', '/pets/1', undefined],
    ['POST', '/pets', { id: 1, type: 'dog', breed: 'Boxer', price: 1 }],
    ['DELETE', '/pets/1', undefined],
  ])('answers %s %s with 503 and Retry-After, without a stack trace', async (method, path, body) => {
    const answer = await fn.invoke(method, path, body ? { body } : {});
    expectUnavailable(answer);
  });

  it('logs the 503 in its one completion line', async () => {
    const answer = await fn.invoke('GET', '/pets/2');
    const completed = answer.logs.filter((line) => line.message === 'request completed');
    expect(completed).toEqual([expect.objectContaining({ status: 503, path: '/pets/2' })]);
  });
});

describe('when DynamoDB accepts the connection and never answers', () => {
  let fn: FunctionInstance;
  let silent: Server;
  const sockets = new Set<Socket>();
  let accepted = 0;

  beforeAll(async () => {
    silent = createServer((socket) => {
      accepted += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    fn = await startFunction(functionEnv(tableName, `http://127.0.0.1:${port}`));
  });

  afterAll(async () => {
    await fn?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('lets the SDK timeout fire inside the function timeout and answers 503', async () => {
    const answer = await fn.invoke('GET', '/pets/3');

    expectUnavailable(answer);
    expect(accepted).toBeGreaterThan(0);
    expect(answer.elapsedMs).toBeLessThan(functionTimeoutMs);
    // It really waited for the stuck call (the SDK request timeout), rather than failing fast.
    expect(answer.elapsedMs).toBeGreaterThan(1_000);
  });
});
