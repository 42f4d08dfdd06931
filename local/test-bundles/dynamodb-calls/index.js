// A purpose-built function for the IAM gateway's tests: `?call=<name>` sends one DynamoDB request
// with the real SDK (as the handler does) to DYNAMODB_ENDPOINT, and answers what came back: the
// response's keys, or the error's name and message. Plain CommonJS, like a built bundle.
const {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  DeleteItemCommand,
  TransactWriteItemsCommand,
} = require('@aws-sdk/client-dynamodb');

const client = new DynamoDBClient({
  region: process.env.AWS_REGION,
  endpoint: process.env.DYNAMODB_ENDPOINT,
  maxAttempts: 1,
});
const table = process.env.TABLE_NAME;
const key = (id) => ({ id: { N: String(id) } });

const calls = {
  get: (q) => new GetItemCommand({ TableName: q.table ?? table, Key: key(q.id ?? 1) }),
  'get-capacity': () =>
    new GetItemCommand({ TableName: table, Key: key(1), ReturnConsumedCapacity: 'TOTAL' }),
  'batch-get': (q) =>
    new BatchGetItemCommand({
      RequestItems: Object.fromEntries(
        (q.tables ?? table).split(',').map((name) => [name, { Keys: [key(1)] }]),
      ),
    }),
  'query-index': () =>
    new QueryCommand({
      TableName: table,
      IndexName: 'type-index',
      KeyConditionExpression: '#t = :t',
      ExpressionAttributeNames: { '#t': 'type' },
      ExpressionAttributeValues: { ':t': { S: 'dog' } },
    }),
  put: (q) =>
    new PutItemCommand({
      TableName: table,
      Item: { ...key(q.id ?? 9001), type: { S: 'fish' }, breed: { S: 'x' }, price: { N: '1' } },
    }),
  delete: (q) => new DeleteItemCommand({ TableName: table, Key: key(q.id ?? 9001) }),
  transact: (q) =>
    new TransactWriteItemsCommand({
      TransactItems: [
        {
          Put: {
            TableName: table,
            Item: { ...key(q.id ?? 9002), type: { S: 'fish' }, breed: { S: 'y' }, price: { N: '2' } },
          },
        },
        { Delete: { TableName: table, Key: key(9003) } },
      ],
    }),
};

exports.handler = async (event) => {
  const query = event.queryStringParameters ?? {};
  try {
    const output = await client.send(calls[query.call](query));
    const { $metadata, ...rest } = output;
    return { statusCode: 200, body: JSON.stringify({ keys: Object.keys(rest).sort(), output: rest }) };
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'ERROR',
        message: 'DynamoDB call failed',
        error: error.name,
        detail: error.message,
      }),
    );
    return {
      statusCode: 500,
      body: JSON.stringify({
        name: error.name,
        message: error.message,
        status: error.$metadata?.httpStatusCode,
      }),
    };
  }
};
