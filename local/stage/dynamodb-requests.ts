/**
 * What one DynamoDB request asks IAM for: for each table and index it names, the action and the
 * resource ARN, as DynamoDB authorizes it. Batch requests need the batch action on every table;
 * transactions need the item action of each part (PutItem, UpdateItem, DeleteItem,
 * ConditionCheckItem, GetItem) on its table; Query and Scan on an index need it on the index.
 */
export interface IamCheck {
  action: string;
  resource: string;
}

type Body = Record<string, unknown>;

const TRANSACT_PARTS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `arn:…:table/<name>`; an ARN passed as the TableName (allowed by DynamoDB) is kept. */
export function tableArn(tableName: string, region: string, accountId: string): string {
  return tableName.startsWith('arn:')
    ? tableName
    : `arn:aws:dynamodb:${region}:${accountId}:table/${tableName}`;
}

function transactChecks(items: unknown, arnOf: (table: string) => string): IamCheck[] {
  const checks: IamCheck[] = [];
  for (const item of Array.isArray(items) ? items : []) {
    if (!isRecord(item)) continue;
    for (const [part, action] of Object.entries(TRANSACT_PARTS)) {
      const target = item[part];
      if (isRecord(target) && typeof target.TableName === 'string') {
        checks.push({ action, resource: arnOf(target.TableName) });
      }
    }
  }
  return checks;
}

/** The checks for `operation` (from `X-Amz-Target`) with `body`; table names resolve through `arnOf`. */
export function iamChecks(operation: string, body: Body, arnOf: (table: string) => string): IamCheck[] {
  const action = `dynamodb:${operation}`;
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const tables = isRecord(body.RequestItems) ? Object.keys(body.RequestItems) : [];
    return tables.map((table) => ({ action, resource: arnOf(table) }));
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    return transactChecks(body.TransactItems, arnOf);
  }
  if (typeof body.TableName === 'string') {
    const table = arnOf(body.TableName);
    const index = (operation === 'Query' || operation === 'Scan') && typeof body.IndexName === 'string';
    return [{ action, resource: index ? `${table}/index/${body.IndexName}` : table }];
  }
  if (typeof body.ResourceArn === 'string') return [{ action, resource: body.ResourceArn }];
  // Operations that name no table (ListTables: IAM wants them on `*`), and PartiQL, whose tables
  // the stage does not parse: checked on `*`, so only a grant on every resource allows them.
  return [{ action, resource: '*' }];
}

/** Reads and writes, for the capacity a call consumed (on-demand bills them apart). */
export const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
export const CAPACITY_OPERATIONS = new Set([
  ...READ_OPERATIONS,
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
