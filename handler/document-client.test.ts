import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDocumentClient, petRepository } from './repository';

/**
 * The function's document client against a local endpoint that speaks just enough of DynamoDB's
 * JSON protocol: what goes over the wire (marshalling) and what happens when the endpoint is stuck.
 * No SDK mock here: the client's own serialisation and timeouts run.
 */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
let server: Server;
let endpoint: string;
const received: Record<string, unknown>[] = [];
let answering = true;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => resolve(text));
  });
}

beforeAll(async () => {
  Object.assign(process.env, CREDENTIALS);
  server = createServer(async (request, response) => {
    received.push(JSON.parse(await readBody(request)) as Record<string, unknown>);
    if (!answering) return; // a stuck endpoint: the request is read, never answered
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ Items: [], Count: 0, ScannedCount: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const name of Object.keys(CREDENTIALS)) delete process.env[name];
});

describe('the function’s document client', () => {
  it('sends a first page’s scan without a start key', async () => {
    received.length = 0;
    const client = createDocumentClient({ AWS_REGION: 'eu-west-1', DYNAMODB_ENDPOINT: endpoint });

    const page = await petRepository(client, 'pets-wire').list({ limit: 3 });

    expect(page).toEqual({ pets: [] });
    expect(received).toEqual([{ TableName: 'pets-wire', Limit: 3 }]);
  });

  it('gives up on an endpoint that never answers with a timeout, after two attempts', async () => {
    received.length = 0;
    answering = false;
    const client = createDocumentClient({ AWS_REGION: 'eu-west-1', DYNAMODB_ENDPOINT: endpoint });

    await expect(client.send(new ScanCommand({ TableName: 'pets-wire' }))).rejects.toEqual(
      expect.objectContaining({ name: 'TimeoutError' }),
    );
    expect(received).toHaveLength(2);
    answering = true;
  }, 15_000);
});
