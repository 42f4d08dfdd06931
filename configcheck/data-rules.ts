import { apiFunctions, type ConfigFinding, finding, type Judge, type RuleInputs } from './finding';
import { resourcesOfType, type TemplateResource } from './template';

/** The rules on what the stack keeps: its table (indexes, recovery, protection) and its logs. */

interface TableIndex {
  name: string;
  property: string;
  projected: (attribute: string) => boolean;
  projection: string;
}

function keyNames(schema: unknown): string[] {
  return Array.isArray(schema)
    ? schema.map((key) => String((key as { AttributeName?: unknown }).AttributeName))
    : [];
}

/** A table's indexes, each with what its projection holds: ALL, or the keys plus NonKeyAttributes. */
function indexesOf(props: Record<string, unknown>): TableIndex[] {
  const tableKeys = keyNames(props.KeySchema);
  const kinds = ['GlobalSecondaryIndexes', 'LocalSecondaryIndexes'] as const;
  return kinds.flatMap((kind) =>
    ((props[kind] ?? []) as Record<string, unknown>[]).map((index) => {
      const projection = (index.Projection ?? {}) as { ProjectionType?: string; NonKeyAttributes?: string[] };
      const type = projection.ProjectionType ?? 'KEYS_ONLY';
      const held = new Set([
        ...tableKeys,
        ...keyNames(index.KeySchema),
        ...(projection.NonKeyAttributes ?? []),
      ]);
      const name = String(index.IndexName);
      return {
        name,
        property: `${kind}[${name}].Projection`,
        projected: (attribute: string) => type === 'ALL' || held.has(attribute),
        projection: type === 'ALL' ? 'ALL' : `${type} (${[...held].join(', ')})`,
      };
    }),
  );
}

export const indexProjection: Judge = (inputs) => {
  const tables = resourcesOfType(inputs.template, 'AWS::DynamoDB::Table');
  const found: ConfigFinding[] = [];
  for (const route of inputs.indexedRoutes) {
    const served = tables.flatMap(([resource, table]) =>
      indexesOf(table.Properties ?? {})
        .filter((index) => index.name === route.indexName)
        .map((index) => ({ resource, index })),
    );
    const source = `contract/openapi.yaml, ${route.operationId} answers ${route.schemaName}`;
    if (served.length === 0) {
      const resource = tables.length === 1 ? (tables[0]?.[0] as string) : '(template)';
      const fields = {
        rule: 'index-projection' as const,
        resource,
        property: 'GlobalSecondaryIndexes',
        value: `no index ${route.indexName}`,
        limit: `an index ${route.indexName} (${source})`,
      };
      found.push(
        finding(
          inputs,
          fields,
          `${route.route} is served by a Query on ${route.indexName}, which DynamoDB rejects`,
        ),
      );
      continue;
    }
    for (const { resource, index } of served) {
      const missing = route.attributes.filter((attribute) => !index.projected(attribute));
      if (missing.length === 0) continue;
      const fields = {
        rule: 'index-projection' as const,
        resource,
        property: index.property,
        value: index.projection,
        limit: `every attribute ${route.route} returns: ${route.attributes.join(', ')} (${source})`,
      };
      found.push(
        finding(
          inputs,
          fields,
          `a Query on the index answers without ${missing.join(', ')}, so ${route.route} returns pets without them`,
        ),
      );
    }
  }
  return found;
};

/** Tables the stack keeps when it is deleted: the data outlives the stack, so it must be protected. */
function retainedTables(inputs: RuleInputs): [string, TemplateResource][] {
  return resourcesOfType(inputs.template, 'AWS::DynamoDB::Table').filter(([, table]) =>
    ['Retain', 'RetainExceptOnCreate'].includes(table.DeletionPolicy ?? ''),
  );
}

export const pointInTimeRecovery: Judge = (inputs) =>
  retainedTables(inputs).flatMap(([resource, table]) => {
    const spec = table.Properties?.PointInTimeRecoverySpecification as
      | { PointInTimeRecoveryEnabled?: unknown }
      | undefined;
    if (spec?.PointInTimeRecoveryEnabled === true) return [];
    const fields = {
      rule: 'point-in-time-recovery' as const,
      resource,
      property: 'PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled',
      value: String(spec?.PointInTimeRecoveryEnabled ?? 'absent'),
      limit: 'true on a table with DeletionPolicy Retain',
    };
    return [
      finding(
        inputs,
        fields,
        'a table kept beyond its stack cannot be restored to a point in time: a bad write or delete is lost for good',
      ),
    ];
  });

export const deletionProtection: Judge = (inputs) =>
  retainedTables(inputs).flatMap(([resource, table]) => {
    const enabled = table.Properties?.DeletionProtectionEnabled;
    if (enabled === true) return [];
    const fields = {
      rule: 'deletion-protection' as const,
      resource,
      property: 'DeletionProtectionEnabled',
      value: String(enabled ?? 'absent'),
      limit: 'true on a table with DeletionPolicy Retain',
    };
    return [
      finding(
        inputs,
        fields,
        'the retained table can be deleted by one DeleteTable call (a console click, a script) outside the stack',
      ),
    ];
  });

function functionLogGroupCovered(inputs: RuleInputs, props: Record<string, unknown>): boolean {
  if ((props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup !== undefined) return true;
  const name = JSON.stringify(`/aws/lambda/${String(props.FunctionName ?? '')}`);
  return [
    ...resourcesOfType(inputs.template, 'AWS::Logs::LogGroup'),
    ...resourcesOfType(inputs.template, 'Custom::LogRetention'),
  ].some(([, group]) => JSON.stringify(group.Properties?.LogGroupName ?? '') === name);
}

export const logRetention: Judge = (inputs) => {
  const groups = resourcesOfType(inputs.template, 'AWS::Logs::LogGroup')
    .filter(([, group]) => group.Properties?.RetentionInDays === undefined)
    .map(([resource]) => {
      const fields = {
        rule: 'log-retention' as const,
        resource,
        property: 'RetentionInDays',
        value: 'absent',
        limit: 'a retention period',
      };
      return finding(
        inputs,
        fields,
        'CloudWatch keeps these logs forever, and bills their storage every month',
      );
    });
  const functions = apiFunctions(inputs)
    .filter(([, props]) => !functionLogGroupCovered(inputs, props))
    .map(([resource]) => {
      const fields = {
        rule: 'log-retention' as const,
        resource,
        property: 'LoggingConfig.LogGroup',
        value: 'absent',
        limit: 'a log group of the template with a retention period',
      };
      return finding(
        inputs,
        fields,
        'Lambda creates the function’s log group on first use, with no retention: its logs are kept forever',
      );
    });
  return [...groups, ...functions];
};
