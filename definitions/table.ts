import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The `pets` table's key schema and type index: one definition for the CDK stack and for
 * `seed --create-table`, so the local table is the deployed one.
 */
export const DEFAULT_TABLE_NAME = 'pets';
export const PARTITION_KEY = { name: 'id', type: 'N' } as const;
export const TYPE_INDEX = {
  indexName: 'type-index',
  partitionKey: { name: 'type', type: 'S' },
  sortKey: { name: 'id', type: 'N' },
} as const;

/** CreateTable input for DynamoDB (Local, dynalite or AWS), on-demand like the stack. */
export function createTableInput(tableName = DEFAULT_TABLE_NAME): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY.name, AttributeType: PARTITION_KEY.type },
      { AttributeName: TYPE_INDEX.partitionKey.name, AttributeType: TYPE_INDEX.partitionKey.type },
    ],
    KeySchema: [{ AttributeName: PARTITION_KEY.name, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: TYPE_INDEX.indexName,
        KeySchema: [
          { AttributeName: TYPE_INDEX.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: TYPE_INDEX.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
