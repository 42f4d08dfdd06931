import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type FunctionInstance, startFunction } from './bundle';
import { createSeededTable, dropTable, functionEnv, testClient, uniqueTableName } from './dynamodb';

export interface SeededFunction {
  tableName: string;
  client: DynamoDBClient;
  /** The built bundle running against the table; there from `beforeAll` on. */
  readonly fn: FunctionInstance;
}

/**
 * One table of this test file (the 20 seed pets) and the built bundle running against it, set up
 * in `beforeAll` and removed in `afterAll`, so every file owns its data.
 */
export function useSeededFunction(purpose: string): SeededFunction {
  const tableName = uniqueTableName(purpose);
  const client = testClient();
  let instance: FunctionInstance | undefined;

  beforeAll(async () => {
    await createSeededTable(tableName);
    instance = await startFunction(functionEnv(tableName));
  });

  afterAll(async () => {
    await instance?.stop();
    await dropTable(client, tableName);
    client.destroy();
  });

  return {
    tableName,
    client,
    get fn() {
      if (!instance) throw new Error(`the function for ${tableName} starts in beforeAll`);
      return instance;
    },
  };
}
