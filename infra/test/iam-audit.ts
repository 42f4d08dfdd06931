/**
 * Walks a synthesized template for every IAM statement that applies to one role: the role's inline
 * `Policies`, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources attached to it, and its
 * `ManagedPolicyArns` (any of which is a finding: AWS managed policies are not least privilege).
 */
export type TemplateJson = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

export interface PolicyStatementJson {
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function statementsOf(document: unknown): PolicyStatementJson[] {
  if (!isRecord(document)) return [];
  return asArray(document.Statement).filter(isRecord) as PolicyStatementJson[];
}

function refersTo(roles: unknown, roleLogicalId: string): boolean {
  return asArray(roles).some((role) => isRecord(role) && role.Ref === roleLogicalId);
}

/** Every statement that grants the role something, with where it came from. */
export function statementsForRole(
  template: TemplateJson,
  roleLogicalId: string,
): { source: string; statement: PolicyStatementJson }[] {
  const found: { source: string; statement: PolicyStatementJson }[] = [];
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role in the template`);
  for (const policy of asArray(role.Properties?.Policies).filter(isRecord)) {
    for (const statement of statementsOf(policy.PolicyDocument)) {
      found.push({ source: `${roleLogicalId} inline ${String(policy.PolicyName)}`, statement });
    }
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    if (!refersTo(resource.Properties?.Roles, roleLogicalId)) continue;
    for (const statement of statementsOf(resource.Properties?.PolicyDocument)) {
      found.push({ source: logicalId, statement });
    }
  }
  return found;
}

/**
 * The literal text of an ARN expression: plain strings and the literal parts of `Fn::Join`; a
 * `Ref`/`Fn::GetAtt` contributes nothing (it resolves to one named resource's ARN). Anything else
 * (`Fn::Sub`, unknown intrinsics) is returned whole as JSON, so a `*` inside it is still seen.
 *
 * About the log-stream suffix `:*`: the `Arn` attribute of `AWS::Logs::LogGroup` resolves to
 * `arn:…:log-group:<name>:*`, which matches the log streams of that one group (CreateLogStream and
 * PutLogEvents act on streams). Since a `Fn::GetAtt` has no literal text, that suffix is not a
 * finding here; the stack test separately requires the log statement's only resource to be the
 * GetAtt of the function's own log group. A literal `*` anywhere — `"*"`, `"arn:…:log-group:*"`,
 * a joined `"/index/*"` — is a finding.
 */
export function literalText(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(literalText);
  if (isRecord(value)) {
    if ('Ref' in value || 'Fn::GetAtt' in value) return [];
    const join = value['Fn::Join'];
    if (Array.isArray(join) && join.length === 2) return literalText(join[1]);
  }
  return [JSON.stringify(value)];
}

/** Findings that break least privilege for the role; an empty list means none. */
export function leastPrivilegeFindings(template: TemplateJson, roleLogicalId: string): string[] {
  const findings: string[] = [];
  const role = template.Resources[roleLogicalId];
  for (const arn of asArray(role?.Properties?.ManagedPolicyArns)) {
    findings.push(`${roleLogicalId}: managed policy ${JSON.stringify(arn)}`);
  }
  for (const { source, statement } of statementsForRole(template, roleLogicalId)) {
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotAction !== undefined) findings.push(`${source}: NotAction grants everything else`);
    if (statement.NotResource !== undefined) findings.push(`${source}: NotResource grants everything else`);
    for (const action of asArray(statement.Action)) {
      if (typeof action !== 'string' || action.includes('*') || action.includes('?')) {
        findings.push(`${source}: wildcard action ${JSON.stringify(action)}`);
      }
    }
    for (const resource of asArray(statement.Resource)) {
      if (literalText(resource).some((text) => text.includes('*'))) {
        findings.push(`${source}: wildcard resource ${JSON.stringify(resource)}`);
      }
    }
  }
  return findings;
}
