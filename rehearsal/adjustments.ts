import { TOOL_VERSIONS } from '../tools/cache';

/**
 * What moto needs that AWS does not, each named and explained once. The template adjustments are
 * made in a copy of the cloud assembly (rehearsal/assembly.ts), never in cdk.out; the deploy
 * adjustments are how the CDK CLI is run against moto (rehearsal/cdk.ts). Each was found against
 * the moto version pinned in tools/cache.ts; after a moto upgrade, a rehearsal deploy `without` one
 * (rehearsal/index.ts) shows whether it is still needed.
 */

type Json = Record<string, unknown>;

export interface TemplateResource {
  Type: string;
  Properties?: Json;
  DependsOn?: string | string[];
  [key: string]: unknown;
}

export interface Template {
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, Json>;
  [key: string]: unknown;
}

export interface Adjustment {
  /** A short id, used in the report and the tests. */
  id: string;
  /** What is done, in one line. */
  does: string;
  /** Why moto needs it (what moto does without it). */
  why: string;
}

export interface TemplateAdjustment extends Adjustment {
  /** Adjusts the template in place; returns the logical ids it changed (none: it did not apply). */
  apply(template: Template): string[];
}

const MOTO = `moto ${TOOL_VERSIONS.moto}`;

function resourcesOfType(template: Template, type: string): [string, TemplateResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Every `{ "Ref": id }` in `value` replaced by `replacement`, anywhere in the tree. */
function replaceRefs(value: unknown, id: string, replacement: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => replaceRefs(item, id, replacement));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]?.[0] === 'Ref' && entries[0][1] === id) return replacement;
  return Object.fromEntries(entries.map(([key, item]) => [key, replaceRefs(item, id, replacement)]));
}

export const MOCK_INTEGRATION_FIELDS: TemplateAdjustment = {
  id: 'mock-integration-fields',
  does: 'each MOCK integration (the CORS preflights) gets an IntegrationHttpMethod and an empty Uri',
  why: `${MOTO}'s AWS::ApiGateway::Method reads Integration.IntegrationHttpMethod and Integration.Uri whatever the integration type, and AWS requires neither for MOCK: without them the stack stops at the first OPTIONS method with KeyError: 'IntegrationHttpMethod'`,
  apply(template) {
    const changed: string[] = [];
    for (const [id, resource] of resourcesOfType(template, 'AWS::ApiGateway::Method')) {
      const integration = resource.Properties?.Integration as Json | undefined;
      if (integration?.Type !== 'MOCK') continue;
      if (integration.IntegrationHttpMethod !== undefined && integration.Uri !== undefined) continue;
      integration.IntegrationHttpMethod ??= resource.Properties?.HttpMethod;
      integration.Uri ??= '';
      changed.push(id);
    }
    return changed;
  },
};

function dependsOn(resource: TemplateResource): string[] {
  return resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
}

export const STAGE_FROM_DEPLOYMENT: TemplateAdjustment = {
  id: 'stage-from-deployment',
  does: 'the AWS::ApiGateway::Stage is made by its Deployment (StageName on the Deployment), and each Ref to the Stage becomes the stage name',
  why: `${MOTO} has no AWS::ApiGateway::Stage: it skips the resource, its Ref resolves to None and the ApiUrl output ends in /None. A Deployment with a StageName makes the stage, as CreateDeployment does on AWS; the Stage's own settings (throttling, access log, method settings) are not rehearsed`,
  apply(template) {
    const changed: string[] = [];
    for (const [id, stage] of resourcesOfType(template, 'AWS::ApiGateway::Stage')) {
      const stageName = stage.Properties?.StageName;
      const deploymentId = (stage.Properties?.DeploymentId as { Ref?: string } | undefined)?.Ref;
      const deployment = deploymentId ? template.Resources[deploymentId] : undefined;
      if (typeof stageName !== 'string' || !deploymentId || !deployment) {
        throw new Error(`stage ${id}: no literal StageName, or no Deployment of the template to make it`);
      }
      delete template.Resources[id];
      deployment.Properties = { ...deployment.Properties, StageName: stageName };
      // What the stage waited for, its deployment now waits for; what waited for the stage, waits for its deployment.
      const after = [...new Set([...dependsOn(deployment), ...dependsOn(stage)])];
      if (after.length > 0) deployment.DependsOn = after;
      const adjusted = replaceRefs(template, id, stageName) as Template;
      for (const resource of Object.values(adjusted.Resources)) {
        const waits = dependsOn(resource);
        if (waits.includes(id)) resource.DependsOn = waits.map((name) => (name === id ? deploymentId : name));
      }
      if (JSON.stringify(adjusted).includes(`"${id}"`)) {
        throw new Error(`stage ${id} is named by more than a Ref or DependsOn: it cannot be replaced`);
      }
      Object.assign(template, adjusted);
      changed.push(id, deploymentId);
    }
    return changed;
  },
};

/** The template adjustments, in the order they are made. */
export const TEMPLATE_ADJUSTMENTS: readonly TemplateAdjustment[] = [
  MOCK_INTEGRATION_FIELDS,
  STAGE_FROM_DEPLOYMENT,
];

export const TEMPLATE_URL_ON_LOCALHOST: Adjustment = {
  id: 'template-url-localhost',
  does: "the CDK CLI names the template's S3 URL on localhost (AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION=http://localhost:<moto port>)",
  why: `${MOTO} reads a TemplateURL's bucket from its path only when the URL contains "localhost"; otherwise from the host's first label, so http://127.0.0.1:<port>/<bucket>/<key> is read from a bucket named "127" ("The specified bucket does not exist")`,
};

export const DIRECT_DEPLOY: Adjustment = {
  id: 'direct-deploy',
  does: 'cdk deploy --method=direct (CreateStack/UpdateStack) instead of a change set',
  why: `${MOTO}'s change-set execution creates the resources in template order, ignoring DependsOn (the Deployment before its Methods: "The REST API doesn't contain any methods"), and never evaluates Outputs (the stack has none, so DescribeStacks cannot give the stage URL); CreateStack follows DependsOn and evaluates them`,
};

/** How the CDK CLI is run against moto. */
export const DEPLOY_ADJUSTMENTS: readonly Adjustment[] = [TEMPLATE_URL_ON_LOCALHOST, DIRECT_DEPLOY];

/** Every adjustment the rehearsal makes, for the report and docs/deploy.md. */
export const MOTO_ADJUSTMENTS: readonly Adjustment[] = [...DEPLOY_ADJUSTMENTS, ...TEMPLATE_ADJUSTMENTS];

/** Applies the template adjustments in order; says which applied and to what. */
export function adjustTemplate(
  template: Template,
  adjustments: readonly TemplateAdjustment[] = TEMPLATE_ADJUSTMENTS,
): { id: string; changed: string[] }[] {
  return adjustments.map((adjustment) => ({ id: adjustment.id, changed: adjustment.apply(template) }));
}
