import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CannotRunError } from '../../common/cli';
import {
  type ResolveContext,
  resolveString,
  roleName,
  type TemplateResources,
  Unresolvable,
} from './intrinsics';
import { type RolePolicy, rolePolicies } from './template-iam';

/**
 * What the local stage obeys, read from the CloudFormation template `cdk synth` writes: the
 * function's configuration and environment, the REST API's methods, the function role's policies.
 * What the stage cannot honour is listed in `notes`, never silently dropped.
 */
export interface StageFunction {
  logicalId: string;
  functionName: string;
  handler: string;
  runtime: string;
  architecture: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  logGroupName: string;
  /** The template's variables, intrinsics resolved to local values. */
  /** The function's environment variables, resolved for this stage. */
  variables: Record<string, string>;
}

export interface StageRoute {
  method: string;
  /** `/pets/{id}` */
  resource: string;
}

export interface StageTable {
  logicalId: string;
  localName: string;
  arn: string;
  indexes: string[];
  /** The partition keys of the table and of each index: what a key condition can name. */
  partitionKeys: PartitionKey[];
}

export interface PartitionKey {
  attribute: string;
  /** The global secondary index it keys; absent for the table's own key. */
  index?: string;
}

export interface StageTemplate {
  path: string;
  stackName: string;
  function: StageFunction;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function>`, as DynamoDB names the caller. */
  principalArn: string;
  accountId: string;
  region: string;
  routes: StageRoute[];
  /** Resources whose OPTIONS is a MOCK integration (the CORS preflight). */
  preflightResources: string[];
  policies: RolePolicy[];
  tables: StageTable[];
  notes: string[];
}

export interface TemplateLocals {
  region: string;
  accountId: string;
  /** The local name of the template's table (default: its own TableName). */
  tableName?: string;
}

type Resources = TemplateResources;

function logicalIdsOf(resources: Resources, type: string): string[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
}

function tableNames(resources: Resources, locals: TemplateLocals, notes: string[]): Map<string, string> {
  const tables = logicalIdsOf(resources, 'AWS::DynamoDB::Table');
  const names = new Map<string, string>();
  if (tables.length === 1 && locals.tableName) names.set(tables[0] as string, locals.tableName);
  else if (tables.length > 1 && locals.tableName) {
    notes.push(`${tables.length} tables in the template: each keeps its own TableName locally`);
  }
  return names;
}

/** The function the REST API's proxy methods invoke (CDK adds helper functions of its own). */
function apiFunctionId(resources: Resources): string {
  const functions = logicalIdsOf(resources, 'AWS::Lambda::Function');
  const invoked = new Set<string>();
  for (const id of logicalIdsOf(resources, 'AWS::ApiGateway::Method')) {
    const uri = JSON.stringify(resources[id]?.Properties?.Integration ?? {});
    for (const fn of functions) if (uri.includes(`"${fn}"`)) invoked.add(fn);
  }
  const candidates = invoked.size > 0 ? [...invoked] : functions;
  if (candidates.length !== 1) {
    throw new CannotRunError(
      `the template must hold one function behind the REST API, found ${candidates.length}: ${candidates.join(', ')}`,
    );
  }
  return candidates[0] as string;
}

function resolveVariables(variables: unknown, ctx: ResolveContext, notes: string[]): Record<string, string> {
  const resolved: Record<string, string> = {};
  if (typeof variables !== 'object' || variables === null) return resolved;
  for (const [name, value] of Object.entries(variables)) {
    try {
      resolved[name] = resolveString(value, ctx);
    } catch (error) {
      if (!(error instanceof Unresolvable)) throw error;
      notes.push(`environment variable ${name}: ${error.message}; the function runs without it`);
    }
  }
  return resolved;
}

function readFunction(logicalId: string, ctx: ResolveContext, notes: string[]): StageFunction {
  const props = ctx.resources[logicalId]?.Properties ?? {};
  const functionName = props.FunctionName === undefined ? logicalId : resolveString(props.FunctionName, ctx);
  const logGroup = (props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
  const architectures = props.Architectures as string[] | undefined;
  return {
    logicalId,
    functionName,
    handler: resolveString(props.Handler, ctx),
    runtime: resolveString(props.Runtime, ctx),
    architecture: architectures?.[0] ?? 'x86_64',
    // Lambda's defaults when the template leaves them out.
    memorySizeMb: Number(props.MemorySize ?? 128),
    timeoutSeconds: Number(props.Timeout ?? 3),
    logGroupName: logGroup === undefined ? `/aws/lambda/${functionName}` : resolveString(logGroup, ctx),
    variables: resolveVariables((props.Environment as { Variables?: unknown })?.Variables, ctx, notes),
  };
}

/** Each API Gateway resource's full path, from its PathPart and its parents'. */
function resourcePaths(resources: Resources): Map<string, string> {
  const paths = new Map<string, string>();
  const pathOf = (id: string, depth = 0): string => {
    const known = paths.get(id);
    if (known) return known;
    const props = resources[id]?.Properties ?? {};
    const parent = props.ParentId as { Ref?: string } | undefined;
    const parentPath = depth < 32 && parent?.Ref ? pathOf(parent.Ref, depth + 1) : '';
    const path = `${parentPath}/${String(props.PathPart)}`;
    paths.set(id, path);
    return path;
  };
  for (const id of logicalIdsOf(resources, 'AWS::ApiGateway::Resource')) pathOf(id);
  return paths;
}

function readRoutes(resources: Resources, functionId: string, notes: string[]) {
  const paths = resourcePaths(resources);
  const routes: StageRoute[] = [];
  const preflightResources: string[] = [];
  for (const id of logicalIdsOf(resources, 'AWS::ApiGateway::Method')) {
    const props = resources[id]?.Properties ?? {};
    const target = props.ResourceId as { Ref?: string; 'Fn::GetAtt'?: unknown } | undefined;
    const resource = target?.Ref ? paths.get(target.Ref) : '/';
    const integration = props.Integration as { Type?: string } | undefined;
    const method = String(props.HttpMethod);
    if (resource === undefined) notes.push(`method ${id}: its resource is not in the template; not served`);
    else if (integration?.Type === 'AWS_PROXY' && JSON.stringify(integration).includes(`"${functionId}"`)) {
      routes.push({ method, resource });
    } else if (integration?.Type === 'MOCK' && method === 'OPTIONS') preflightResources.push(resource);
    else
      notes.push(
        `${method} ${resource}: a ${integration?.Type ?? 'missing'} integration the stage does not serve`,
      );
  }
  return { routes, preflightResources };
}

type KeySchema = { AttributeName: string; KeyType: string }[] | undefined;

function partitionKeyOf(keys: KeySchema, index?: string): PartitionKey[] {
  return (keys ?? [])
    .filter((key) => key.KeyType === 'HASH')
    .map((key) => ({ attribute: key.AttributeName, ...(index ? { index } : {}) }));
}

function readTables(ctx: ResolveContext): StageTable[] {
  return logicalIdsOf(ctx.resources, 'AWS::DynamoDB::Table').map((logicalId) => {
    const props = ctx.resources[logicalId]?.Properties ?? {};
    const indexes = (props.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema?: KeySchema }[];
    return {
      logicalId,
      localName: resolveString({ Ref: logicalId }, ctx),
      arn: resolveString({ 'Fn::GetAtt': [logicalId, 'Arn'] }, ctx),
      indexes: indexes.map((index) => index.IndexName),
      partitionKeys: [
        ...partitionKeyOf(props.KeySchema as KeySchema),
        ...indexes.flatMap((index) => partitionKeyOf(index.KeySchema, index.IndexName)),
      ],
    };
  });
}

function roleOf(fn: unknown): string {
  const role = (fn as { Properties?: { Role?: { 'Fn::GetAtt'?: unknown[] } } }).Properties?.Role;
  const id = role?.['Fn::GetAtt']?.[0];
  if (typeof id !== 'string') throw new CannotRunError("the function's Role is not a role of the template");
  return id;
}

/** Reads `<stack>.template.json` for the local stage; throws CannotRunError when it cannot be run. */
export function readStageTemplate(path: string, locals: TemplateLocals): StageTemplate {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { Resources?: Resources };
  const resources = json.Resources ?? {};
  const notes: string[] = [];
  const stackName = basename(path).replace(/\.template\.json$/u, '');
  const ctx: ResolveContext = {
    region: locals.region,
    accountId: locals.accountId,
    stackName,
    resources,
    tableNames: tableNames(resources, locals, notes),
  };
  const functionId = apiFunctionId(resources);
  const fn = readFunction(functionId, ctx, notes);
  const roleId = roleOf(resources[functionId]);
  return {
    path,
    stackName,
    function: fn,
    principalArn: `arn:aws:sts::${locals.accountId}:assumed-role/${roleName(ctx, roleId)}/${fn.functionName}`,
    accountId: locals.accountId,
    region: locals.region,
    ...readRoutes(resources, functionId, notes),
    policies: rolePolicies(ctx, roleId, notes),
    tables: readTables(ctx),
    notes,
  };
}
