import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IamCheck } from '../../local/stage/dynamodb-requests';
import { createIamEvaluator } from '../../local/stage/iam';
import type { StageTemplate } from '../../local/stage/template';

/**
 * What the function can send to DynamoDB, from its code, against what its role allows: the static
 * form of the stage's IAM gateway, run at synth time.
 */

// lib-dynamodb's and client-dynamodb's command classes, by the operation they send.
const COMMAND_OPERATIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
  Query: 'Query',
  Scan: 'Scan',
  ExecuteStatement: 'ExecuteStatement',
  BatchExecuteStatement: 'BatchExecuteStatement',
  ExecuteTransaction: 'ExecuteTransaction',
};
const OPERATIONS = new Set(
  Object.values(COMMAND_OPERATIONS).concat(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']),
);

export interface SentOperation {
  operation: string;
  /** Sent with an IndexName (Query/Scan on an index). */
  onIndex: boolean;
}

/** The text of the call starting at `open` (the `(`), up to its matching `)`. */
function callText(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '(') depth++;
    else if (source[i] === ')' && --depth === 0) return source.slice(open, i + 1);
  }
  return source.slice(open);
}

/** Every `new <X>Command(…)` in the handler's sources, and whether it names an index. */
export function operationsInSource(handlerDir: string): SentOperation[] {
  const found = new Map<string, SentOperation>();
  const files = readdirSync(handlerDir, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.startsWith('test/'),
  );
  for (const file of files) {
    const source = readFileSync(join(handlerDir, file), 'utf8');
    for (const match of source.matchAll(/new\s+(\w+?)(?:Items?)?Command\s*\(/gu)) {
      const operation = COMMAND_OPERATIONS[match[1] as string];
      if (!operation) continue;
      const onIndex = /\bIndexName\s*:/u.test(callText(source, (match.index ?? 0) + match[0].length - 1));
      const key = `${operation} ${onIndex}`;
      found.set(key, { operation, onIndex });
    }
  }
  return [...found.values()];
}

/**
 * The DynamoDB operations whose command the bundle carries (the SDK's command schemas name them):
 * what the deployed code can send, tree-shaken. DescribeEndpoints is the client's endpoint
 * discovery, off for DynamoDB unless configured: not a call the function makes.
 */
export function operationsInBundle(bundleFile: string): string[] {
  const text = readFileSync(bundleFile, 'utf8');
  return [...OPERATIONS].filter((operation) => text.includes(`"${operation}"`)).sort();
}

/** The IAM checks the sent operations need on the template's table(s). */
export function requiredChecks(sent: SentOperation[], template: StageTemplate): IamCheck[] {
  return template.tables.flatMap((table) =>
    sent.flatMap(({ operation, onIndex }) =>
      onIndex
        ? table.indexes.map((index) => ({
            action: `dynamodb:${operation}`,
            resource: `${table.arn}/index/${index}`,
          }))
        : [{ action: `dynamodb:${operation}`, resource: table.arn }],
    ),
  );
}

function asArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Findings: a check the role does not allow (the call would fail deployed), and a DynamoDB action
 * on a resource the role allows that no check needs (more than least privilege).
 */
export async function usageFindings(template: StageTemplate, required: IamCheck[]): Promise<string[]> {
  const findings: string[] = [];
  const iam = createIamEvaluator(template.policies, template);
  for (const check of required) {
    const decision = await iam.authorize([check]);
    if (!decision.allowed)
      findings.push(`not allowed: ${check.action} on ${check.resource} (${decision.message})`);
  }
  const needed = new Set(required.map((check) => `${check.action} ${check.resource}`));
  for (const { name, policy } of template.policies) {
    for (const statement of policy.Statement) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of asArray(statement.Action).filter((a) => a.startsWith('dynamodb:'))) {
        for (const resource of asArray(statement.Resource)) {
          if (!needed.has(`${action} ${resource}`))
            findings.push(`unused: ${name} allows ${action} on ${resource}`);
        }
      }
      if (asArray(statement.NotAction).length > 0)
        findings.push(`unused: ${name} allows everything but ${asArray(statement.NotAction).join(', ')}`);
    }
  }
  return findings.concat(iam.notes.map((note) => `cannot evaluate: ${note}`));
}
