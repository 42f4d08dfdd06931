import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CannotRunError, UsageError } from '../common/cli';
import { main } from './cli';

const dynamo = mockClient(DynamoDBClient);

describe('pets-harness seed', () => {
  beforeEach(() => {
    dynamo.reset();
    jest.spyOn(console, 'error').mockImplementation(() => {});
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => jest.restoreAllMocks());

  it('rejects an unknown flag as a usage error, naming it', async () => {
    await expect(main(['--tabel', 'pets'])).rejects.toThrow(UsageError);
    await expect(main(['--tabel', 'pets'])).rejects.toThrow(/tabel/);
  });

  it.each([['-5'], ['ten'], ['1.5']])('rejects --generate %s as a usage error', async (value) => {
    await expect(main(['--endpoint', 'http://127.0.0.1:9', '--generate', value])).rejects.toThrow(
      /--generate/,
    );
  });

  it('refuses --reset against AWS without --yes, before sending anything', async () => {
    const saved = process.env.DYNAMODB_ENDPOINT;
    delete process.env.DYNAMODB_ENDPOINT;
    try {
      await expect(main(['--reset'])).rejects.toThrow(CannotRunError);
    } finally {
      if (saved !== undefined) process.env.DYNAMODB_ENDPOINT = saved;
    }
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('exits 1 on an invalid seed file, names the entry and field, and writes nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'seed-cli-')), 'pets.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 1, type: 'dog', breed: 'Boxer', price: 10 },
        { id: 2, type: '' },
      ]),
    );
    const errors: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => errors.push(line));

    const code = await main(['--endpoint', 'http://127.0.0.1:9', '--create-table', '--file', file]);

    expect(code).toBe(1);
    expect(errors.join('\n')).toMatch(/\[1\] type: must be 1 to 50 characters long/);
    expect(errors.join('\n')).toMatch(/\[1\] breed: is required/);
    expect(dynamo.calls()).toHaveLength(0);
    expect(dynamo).not.toHaveReceivedCommand(BatchWriteItemCommand);
  });
});
