/**
 * CloudFormation intrinsics as the local stage resolves them: a table's `Ref` and `Arn` become the
 * local table's name and ARN, pseudo parameters the stage's region and account. Anything the stage
 * has no local value for throws `Unresolvable`, so a caller says so instead of guessing.
 */
export type TemplateResources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export interface ResolveContext {
  region: string;
  accountId: string;
  stackName: string;
  resources: TemplateResources;
  /** Local table name by the table's logical id. */
  tableNames: ReadonlyMap<string, string>;
}

export class Unresolvable extends Error {
  override readonly name = 'Unresolvable';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringProperty(ctx: ResolveContext, logicalId: string, property: string): string | undefined {
  const value = ctx.resources[logicalId]?.Properties?.[property];
  return value === undefined ? undefined : resolveString(value, ctx);
}

function tableName(ctx: ResolveContext, logicalId: string): string {
  const name = ctx.tableNames.get(logicalId) ?? stringProperty(ctx, logicalId, 'TableName');
  if (!name) throw new Unresolvable(`table ${logicalId} has no name`);
  return name;
}

/** CloudFormation names an unnamed role `<stack>-<logical id>-<random>`; locally without the random part. */
export function roleName(ctx: ResolveContext, logicalId: string): string {
  return stringProperty(ctx, logicalId, 'RoleName') ?? `${ctx.stackName}-${logicalId}`.slice(0, 64);
}

function ref(ctx: ResolveContext, name: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': ctx.stackName,
  };
  if (pseudo[name]) return pseudo[name];
  const type = ctx.resources[name]?.Type;
  if (type === 'AWS::DynamoDB::Table') return tableName(ctx, name);
  if (type === 'AWS::Logs::LogGroup') {
    const group = stringProperty(ctx, name, 'LogGroupName');
    if (group) return group;
  }
  if (type === 'AWS::IAM::Role') return roleName(ctx, name);
  if (type === 'AWS::Lambda::Function') {
    const functionName = stringProperty(ctx, name, 'FunctionName');
    if (functionName) return functionName;
  }
  throw new Unresolvable(`{"Ref": "${name}"}${type ? ` (${type})` : ''} has no local value`);
}

function getAtt(ctx: ResolveContext, logicalId: string, attribute: string): string {
  const type = ctx.resources[logicalId]?.Type;
  const { region, accountId } = ctx;
  if (type === 'AWS::DynamoDB::Table' && attribute === 'Arn') {
    return `arn:aws:dynamodb:${region}:${accountId}:table/${tableName(ctx, logicalId)}`;
  }
  if (type === 'AWS::Logs::LogGroup' && attribute === 'Arn') {
    return `arn:aws:logs:${region}:${accountId}:log-group:${ref(ctx, logicalId)}:*`;
  }
  if (type === 'AWS::IAM::Role' && attribute === 'Arn') {
    return `arn:aws:iam::${accountId}:role/${roleName(ctx, logicalId)}`;
  }
  if (type === 'AWS::Lambda::Function' && attribute === 'Arn') {
    return `arn:aws:lambda:${region}:${accountId}:function:${ref(ctx, logicalId)}`;
  }
  throw new Unresolvable(
    `{"Fn::GetAtt": ["${logicalId}", "${attribute}"]}${type ? ` (${type})` : ''} has no local value`,
  );
}

function sub(ctx: ResolveContext, template: string, variables: Record<string, unknown>): string {
  return template.replace(/\$\{([^}!][^}]*)\}/gu, (_match, name: string) => {
    if (name in variables) return resolveString(variables[name], ctx);
    const dot = name.indexOf('.');
    return dot === -1 ? ref(ctx, name) : getAtt(ctx, name.slice(0, dot), name.slice(dot + 1));
  });
}

/** The string a template value resolves to locally; throws Unresolvable when it has none. */
export function resolveString(value: unknown, ctx: ResolveContext): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isRecord(value)) {
    if (typeof value.Ref === 'string') return ref(ctx, value.Ref);
    const att = value['Fn::GetAtt'];
    if (Array.isArray(att) && typeof att[0] === 'string' && typeof att[1] === 'string') {
      return getAtt(ctx, att[0], att[1]);
    }
    if (typeof att === 'string' && att.includes('.')) {
      return getAtt(ctx, att.slice(0, att.indexOf('.')), att.slice(att.indexOf('.') + 1));
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map((part) => resolveString(part, ctx)).join(join[0]);
    }
    const subValue = value['Fn::Sub'];
    if (typeof subValue === 'string') return sub(ctx, subValue, {});
    if (Array.isArray(subValue) && typeof subValue[0] === 'string' && isRecord(subValue[1])) {
      return sub(ctx, subValue[0], subValue[1]);
    }
  }
  throw new Unresolvable(`${JSON.stringify(value)} has no local value`);
}
