import { readFileSync } from 'node:fs';
import { CannotRunError } from '../common/cli';

/**
 * The synthesized CloudFormation template as the configuration rules read it: its resources as
 * written (no intrinsics resolved: the rules judge literal settings), and how to name one for a
 * person (logical id and CDK construct path).
 */

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
}

export interface ConfigTemplate {
  path: string;
  resources: Record<string, TemplateResource>;
}

export function readConfigTemplate(path: string): ConfigTemplate {
  let parsed: { Resources?: Record<string, TemplateResource> };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CannotRunError(
      `cannot read the template ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { path, resources: parsed.Resources ?? {} };
}

export function resourcesOfType(template: ConfigTemplate, type: string): [string, TemplateResource][] {
  return Object.entries(template.resources).filter(([, resource]) => resource.Type === type);
}

/** `Function76856677 (PetsStack/Function/Resource)`: the logical id, and where CDK built it. */
export function nameOf(template: ConfigTemplate, logicalId: string): string {
  const path = template.resources[logicalId]?.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? `${logicalId} (${path})` : logicalId;
}

/** The CDK construct path of a resource, when CDK wrote one. */
export function cdkPathOf(template: ConfigTemplate, logicalId: string): string | undefined {
  const path = template.resources[logicalId]?.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path : undefined;
}

/**
 * The functions API Gateway invokes (its methods' integrations name them): the ones the API's
 * rules apply to. CDK adds helper functions of its own (custom resources) that serve no request.
 */
export function apiFunctionIds(template: ConfigTemplate): string[] {
  const functions = resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => id);
  const integrations = resourcesOfType(template, 'AWS::ApiGateway::Method').map(([, method]) =>
    JSON.stringify(method.Properties?.Integration ?? {}),
  );
  return functions.filter((id) => integrations.some((integration) => integration.includes(`"${id}"`)));
}
