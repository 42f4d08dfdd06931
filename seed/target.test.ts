import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { seedTable } from './index';

/** Which DynamoDB seedTable writes to: the one it is given, never one the shell happens to name. */
const dynamoDb = mockClient(DynamoDBClient);
const savedEnv = { ...process.env };

beforeEach(() => {
  dynamoDb.reset();
  dynamoDb.on(DescribeTableCommand).resolves({ Table: { TableName: 'pets-pr-7', TableStatus: 'ACTIVE' } });
  dynamoDb.on(ScanCommand).resolves({ Items: [] });
  dynamoDb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
  process.env.AWS_ACCESS_KEY_ID = 'AKIASEEDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'not-a-secret';
});

afterEach(() => {
  process.env = { ...savedEnv };
});

describe('the table seedTable writes to', () => {
  it("is the stack's table in the given region, not the endpoint DYNAMODB_ENDPOINT names", async () => {
    process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:1';

    const summary = await seedTable({ region: 'eu-west-1', tableName: 'pets-pr-7', reset: true });

    expect(summary).toMatchObject({ target: 'aws:eu-west-1', tableName: 'pets-pr-7', written: 20 });
    expect(dynamoDb).toHaveReceivedCommandWith(DescribeTableCommand, { TableName: 'pets-pr-7' });
  });

  it('is the endpoint it is given (a local DynamoDB, or moto in the rehearsal)', async () => {
    const summary = await seedTable({ endpoint: 'http://127.0.0.1:4566', tableName: 'pets', reset: true });

    expect(summary.target).toBe('http://127.0.0.1:4566');
  });
});
