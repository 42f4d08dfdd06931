import { type ResolveContext, resolveString, Unresolvable } from './intrinsics';

/**
 * The function role's identity-based policies from the template, resource ARNs resolved to the
 * local tables: the role's inline `Policies`, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`
 * resources attached to it. A managed policy ARN from outside the template (an AWS managed
 * policy) cannot be read here: it is a note, and grants nothing locally.
 */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface RolePolicy {
  /** Where it came from: `FunctionRole111A5701 inline PetsTable`, a policy's logical id. */
  name: string;
  policy: { Version: string; Statement: PolicyStatement[] };
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Resolves a statement's resources. An ARN with no local value is dropped from an Allow (it grants
 * nothing here) and widened to `*` in a Deny (it denies everything it might have named): never
 * more access than the template gives.
 */
function resolveResources(value: unknown, effect: string, ctx: ResolveContext, say: (line: string) => void) {
  const resolved: string[] = [];
  for (const item of asArray(value)) {
    try {
      resolved.push(resolveString(item, ctx));
    } catch (error) {
      if (!(error instanceof Unresolvable)) throw error;
      resolved.push(...(effect === 'Deny' ? ['*'] : []));
      say(
        `${error.message}: ${effect === 'Deny' ? 'the Deny applies to every resource' : 'that Allow grants nothing'} locally`,
      );
    }
  }
  return resolved;
}

function resolveCondition(condition: unknown, ctx: ResolveContext): PolicyStatement['Condition'] {
  if (!isRecord(condition)) return undefined;
  const result: NonNullable<PolicyStatement['Condition']> = {};
  for (const [operator, keys] of Object.entries(condition)) {
    if (!isRecord(keys)) continue;
    result[operator] = {};
    for (const [key, values] of Object.entries(keys)) {
      const list = asArray(values).map((item) => resolveString(item, ctx));
      (result[operator] as Record<string, string | string[]>)[key] = Array.isArray(values)
        ? list
        : (list[0] ?? '');
    }
  }
  return result;
}

function resolveStatement(
  raw: unknown,
  ctx: ResolveContext,
  say: (line: string) => void,
): PolicyStatement | undefined {
  if (!isRecord(raw)) return undefined;
  const effect = raw.Effect === 'Deny' ? 'Deny' : 'Allow';
  const statement: PolicyStatement = { Effect: effect };
  if (typeof raw.Sid === 'string') statement.Sid = raw.Sid;
  if (raw.Action !== undefined) statement.Action = asArray(raw.Action).map(String);
  if (raw.NotAction !== undefined) statement.NotAction = asArray(raw.NotAction).map(String);
  for (const key of ['Resource', 'NotResource'] as const) {
    if (raw[key] === undefined) continue;
    // NotResource inverts the sense: an unresolved ARN there is widened the other way.
    const sense = key === 'Resource' ? effect : effect === 'Deny' ? 'Allow' : 'Deny';
    statement[key] = resolveResources(raw[key], sense, ctx, say);
  }
  if (statement.Resource?.length === 0 && raw.Resource !== undefined) return undefined;
  const condition = resolveCondition(raw.Condition, ctx);
  if (condition) statement.Condition = condition;
  return statement;
}

function documentOf(name: string, document: unknown, ctx: ResolveContext, notes: string[]): RolePolicy {
  const say = (line: string) => notes.push(`policy ${name}: ${line}`);
  const statements = isRecord(document) ? asArray(document.Statement) : [];
  return {
    name,
    policy: {
      Version: '2012-10-17',
      Statement: statements
        .map((statement) => resolveStatement(statement, ctx, say))
        .filter((statement): statement is PolicyStatement => statement !== undefined),
    },
  };
}

function refersTo(roles: unknown, roleId: string): boolean {
  return asArray(roles).some((role) => isRecord(role) && role.Ref === roleId);
}

/** Every identity-based policy of the role; what cannot be read goes to `notes`. */
export function rolePolicies(ctx: ResolveContext, roleId: string, notes: string[]): RolePolicy[] {
  const role = ctx.resources[roleId]?.Properties ?? {};
  const policies: RolePolicy[] = [];
  for (const inline of asArray(role.Policies).filter(isRecord)) {
    policies.push(
      documentOf(`${roleId} inline ${String(inline.PolicyName)}`, inline.PolicyDocument, ctx, notes),
    );
  }
  const managedInTemplate = new Set<string>();
  for (const [id, resource] of Object.entries(ctx.resources)) {
    const attached = resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy';
    if (!attached || !refersTo(resource.Properties?.Roles, roleId)) continue;
    managedInTemplate.add(id);
    policies.push(documentOf(id, resource.Properties?.PolicyDocument, ctx, notes));
  }
  for (const arn of asArray(role.ManagedPolicyArns)) {
    const id = isRecord(arn) && typeof arn.Ref === 'string' ? arn.Ref : undefined;
    if (id && ctx.resources[id]?.Type === 'AWS::IAM::ManagedPolicy') {
      if (!managedInTemplate.has(id))
        policies.push(documentOf(id, ctx.resources[id]?.Properties?.PolicyDocument, ctx, notes));
      continue;
    }
    let shown: string;
    try {
      shown = resolveString(arn, ctx);
    } catch {
      shown = JSON.stringify(arn);
    }
    notes.push(
      `managed policy ${shown} on the function's role cannot be read locally: it grants nothing on the stage`,
    );
  }
  return policies;
}
