import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { IamCheck } from './dynamodb-requests';
import type { PolicyStatement, RolePolicy } from './template-iam';

/**
 * The role's identity-based policies evaluated as IAM does (explicit Deny over Allow, wildcards in
 * actions and resources, conditions) by `@cloud-copilot/iam-simulate`. The request context holds
 * the global keys the stage knows for certain; a condition on any other key cannot be evaluated
 * here, so its statement is made strict — an Allow that needs it grants nothing, a Deny that needs
 * it always applies — and `notes` says so. The stage never allows what AWS might deny.
 */
export type IamDecision =
  | { allowed: true }
  | { allowed: false; explicit: boolean; action: string; resource: string; message: string };

export interface IamEvaluator {
  /** Allowed when every check is; else the first denied check. */
  authorize(checks: IamCheck[]): Promise<IamDecision>;
  /** Conditions the stage cannot evaluate, and how each statement is treated instead. */
  notes: string[];
}

export interface IamPrincipal {
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function>` */
  principalArn: string;
  accountId: string;
  region: string;
}

function contextFor(principal: IamPrincipal, now = new Date()): Record<string, string> {
  const [, , , , account, path = ''] = principal.principalArn.split(':');
  const roleName = path.split('/')[1] ?? '';
  return {
    'aws:PrincipalArn': `arn:aws:iam::${account}:role/${roleName}`,
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalType': 'AssumedRole',
    'aws:RequestedRegion': principal.region,
    'aws:ResourceAccount': principal.accountId,
    // The function's SDK calls DynamoDB over HTTPS, itself and not through another service.
    'aws:SecureTransport': 'true',
    'aws:ViaAWSService': 'false',
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
  };
}

const KNOWN_KEYS = new Set(
  Object.keys(
    contextFor({ principalArn: 'arn:aws:sts::0:assumed-role/r/f', accountId: '0', region: 'x' }),
  ).map((key) => key.toLowerCase()),
);

function conditionKeys(statement: PolicyStatement): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((keys) => Object.keys(keys));
}

/** Statements with conditions on keys the stage cannot supply, made strict (see above). */
function strictPolicies(policies: RolePolicy[], notes: string[]): RolePolicy[] {
  return policies.map((policy) => ({
    name: policy.name,
    policy: {
      ...policy.policy,
      Statement: policy.policy.Statement.flatMap((statement, index) => {
        const unknown = conditionKeys(statement).filter((key) => !KNOWN_KEYS.has(key.toLowerCase()));
        if (unknown.length === 0) return [statement];
        const where = `${policy.name} statement ${statement.Sid ?? index + 1}`;
        if (statement.Effect === 'Allow') {
          notes.push(
            `${where}: the stage cannot evaluate the condition on ${unknown.join(', ')}; that Allow grants nothing locally`,
          );
          return [];
        }
        notes.push(
          `${where}: the stage cannot evaluate the condition on ${unknown.join(', ')}; that Deny applies unconditionally locally`,
        );
        const { Condition: _dropped, ...unconditional } = statement;
        return [unconditional];
      }),
    },
  }));
}

function denialMessage(principalArn: string, action: string, resource: string, explicit: boolean): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  return explicit
    ? `${head} with an explicit deny in an identity-based policy`
    : `${head} because no identity-based policy allows the ${action} action`;
}

export function createIamEvaluator(policies: RolePolicy[], principal: IamPrincipal): IamEvaluator {
  const notes: string[] = [];
  const identityPolicies = strictPolicies(policies, notes);
  // Without conditions left, a decision depends only on the action and the resource.
  const cacheable = identityPolicies.every((policy) => policy.policy.Statement.every((s) => !s.Condition));
  const cache = new Map<string, Promise<'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied'>>();

  async function evaluate(action: string, resource: string) {
    const simulation: Simulation = {
      request: {
        principal: principal.principalArn,
        action,
        resource: { resource, accountId: principal.accountId },
        contextVariables: contextFor(principal),
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    };
    const result = await runSimulation(simulation, { simulationMode: 'Strict' });
    if (result.resultType === 'error') {
      throw new Error(`IAM simulation of ${action} on ${resource} failed: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult;
  }

  function decide(action: string, resource: string) {
    if (!cacheable) return evaluate(action, resource);
    const key = `${action} ${resource}`;
    let decision = cache.get(key);
    if (!decision) {
      decision = evaluate(action, resource);
      cache.set(key, decision);
    }
    return decision;
  }

  return {
    notes,
    async authorize(checks) {
      for (const { action, resource } of checks) {
        const result = await decide(action, resource);
        if (result === 'Allowed') continue;
        const explicit = result === 'ExplicitlyDenied';
        const message = denialMessage(principal.principalArn, action, resource, explicit);
        return { allowed: false, explicit, action, resource, message };
      }
      return { allowed: true };
    },
  };
}
