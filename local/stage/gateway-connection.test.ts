import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, get, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_AWS_ENV } from '../../definitions/local-aws';
import {
  createSeededTable,
  dropTable,
  testClient,
  uniqueTableName,
} from '../../integration/support/dynamodb';
import { readLogEvents } from '../logs';
import { startDynamoDbGateway } from './dynamodb-gateway';
import { startStage } from './index';
import { IN_FLIGHT_LABEL } from './lambda-log';

// A DynamoDB server that closes every connection (moto's server does: `Connection: close`). The
// gateway must not pass that hop-by-hop header on (RFC 9110 §7.6.1): the function's keep-alive
// connection to the gateway is the gateway's to keep, whatever the upstream does with its own.

const servers: Server[] = [];
let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'gateway-connection-'));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(workDir, { recursive: true, force: true });
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers `{}` with Connection: close (plus a header that Connection names), recording what it got. */
function closingServer(received: IncomingHttpHeaders[]): Promise<string> {
  return listen(
    createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, {
          'content-type': 'application/x-amz-json-1.0',
          connection: 'close, x-upstream-hop',
          'x-upstream-hop': 'one connection only',
          'keep-alive': 'timeout=1',
        });
        res.end('{}');
      });
    }),
  );
}

/** A proxy in front of `upstream` that adds Connection: close to every answer, as moto's server sends it. */
function closingProxy(upstream: string): Promise<string> {
  const target = new URL(upstream);
  return listen(
    createServer((req, res) => {
      const outgoing = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, { ...answer.headers, connection: 'close' });
          answer.pipe(res);
        },
      );
      req.pipe(outgoing);
    }),
  );
}

function post(endpoint: string, agent: Agent, headers: Record<string, string> = {}) {
  return new Promise<{ headers: IncomingHttpHeaders; reusedSocket: boolean }>((resolve, reject) => {
    const req = request(`${endpoint}/`, {
      method: 'POST',
      agent,
      headers: { 'x-amz-target': 'DynamoDB_20120810.DescribeLimits', ...headers },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ headers: res.headers, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('the DynamoDB gateway in front of a server that sends Connection: close', () => {
  it('keeps the caller’s connection open and passes no hop-by-hop header either way', async () => {
    const received: IncomingHttpHeaders[] = [];
    const gateway = await startDynamoDbGateway({
      upstream: await closingServer(received),
      // IAM is not what this test is about: every call is allowed.
      iam: { authorize: async () => ({ allowed: true }), notes: [] },
      region: 'us-east-1',
      accountId: '000000000000',
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const hop = { connection: 'keep-alive, x-caller-hop', 'x-caller-hop': 'one connection only' };
      const first = await post(gateway.endpoint, agent, hop);
      const second = await post(gateway.endpoint, agent);

      expect(first.headers.connection).toBe('keep-alive');
      expect(first.headers).not.toHaveProperty('x-upstream-hop');
      expect(first.headers['keep-alive']).not.toBe('timeout=1');
      expect(second.reusedSocket).toBe(true);
      expect(received).toHaveLength(2);
      expect(received[0]).not.toHaveProperty('x-caller-hop');
    } finally {
      agent.destroy();
      await gateway.stop();
    }
  });

  it('leaves no socket in flight when the function’s handler returns', async () => {
    const tableName = uniqueTableName('closing');
    const client = testClient();
    await createSeededTable(tableName);
    const logDir = join(workDir, 'logs');
    const stage = await startStage({
      port: 0,
      tableName,
      logDir,
      env: { ...LOCAL_AWS_ENV, DYNAMODB_ENDPOINT: await closingProxy(process.env.DYNAMODB_ENDPOINT ?? '') },
    });
    try {
      for (const id of [1, 2]) {
        const status = await new Promise((resolve, reject) =>
          get(`${stage.url}/pets/${id}`, (res) => resolve(res.resume().statusCode)).on('error', reject),
        );
        expect(status).toBe(200);
      }
    } finally {
      await stage.stop();
      await dropTable(client, tableName);
      client.destroy();
    }
    const lines = readLogEvents({ logGroupName: stage.logGroupName, dir: logDir }).map((e) => e.message);
    expect(lines.filter((line) => line.startsWith('REPORT'))).toHaveLength(2);
    expect(lines.filter((line) => line.includes(IN_FLIGHT_LABEL))).toEqual([]);
  });
});
