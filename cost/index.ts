import { DEFAULT_PRICES, type PriceTable } from './prices';

export { DEFAULT_PRICES, type PriceTable, readPriceFile } from './prices';

/**
 * What the run's own traffic would cost on AWS: API Gateway REST requests, Lambda requests and
 * GB-seconds (Billed Duration × memory, priced by architecture), DynamoDB on-demand request units
 * actually consumed, CloudWatch Logs ingestion. Pure arithmetic over the run's figures.
 */

export interface CostInput {
  /** Requests that reached API Gateway (every request the run sent). */
  apiRequests: number;
  lambda: {
    invocations: number;
    /** Σ Billed Duration (s) × Memory Size (GB) over the REPORT lines. */
    gbSeconds: number;
    architecture: 'arm64' | 'x86_64';
  };
  /** Units DynamoDB reported consumed (ConsumedCapacity); undefined when the run could not measure them. */
  dynamoDb?: { readRequestUnits: number; writeRequestUnits: number; source: string };
  /** The function's log events: count and message bytes. */
  logs: { events: number; bytes: number };
}

export interface CostLine {
  service: 'API Gateway' | 'Lambda' | 'DynamoDB' | 'CloudWatch Logs';
  item: string;
  quantity: number;
  unit: string;
  /** USD per `unit`. */
  unitPrice: number;
  usd: number;
}

export interface RunCost {
  prices: { asOf: string; region: string; currency: 'USD' };
  lines: CostLine[];
  totalUsd: number;
  requests: number;
  /** The run's cost scaled to one million API requests of the same mix. */
  perMillionRequestsUsd: number;
  notes: string[];
}

/** CloudWatch Logs sizes an event as its UTF-8 message plus 26 bytes. */
export const LOG_EVENT_OVERHEAD_BYTES = 26;
const GB = 1024 ** 3;

/** Billed Duration (ms) × Memory Size (MB) → GB-seconds, as Lambda bills them. */
export function gbSeconds(billedDurationMs: number, memorySizeMb: number): number {
  return (billedDurationMs / 1000) * (memorySizeMb / 1024);
}

export function computeCost(input: CostInput, prices: PriceTable = DEFAULT_PRICES): RunCost {
  const logBytes = input.logs.bytes + input.logs.events * LOG_EVENT_OVERHEAD_BYTES;
  const line = (
    service: CostLine['service'],
    item: string,
    quantity: number,
    unit: string,
    unitPrice: number,
  ): CostLine => ({ service, item, quantity, unit, unitPrice, usd: quantity * unitPrice });
  const lines: CostLine[] = [
    line(
      'API Gateway',
      'REST API requests',
      input.apiRequests / 1e6,
      'million requests',
      prices.apiGatewayRestPerMillion,
    ),
    line(
      'Lambda',
      'requests',
      input.lambda.invocations / 1e6,
      'million requests',
      prices.lambdaRequestsPerMillion,
    ),
    line(
      'Lambda',
      `duration (${input.lambda.architecture})`,
      input.lambda.gbSeconds,
      'GB-second',
      prices.lambdaGbSecond[input.lambda.architecture],
    ),
  ];
  const notes: string[] = [];
  if (input.dynamoDb) {
    lines.push(
      line(
        'DynamoDB',
        'on-demand read request units',
        input.dynamoDb.readRequestUnits / 1e6,
        'million RRU',
        prices.dynamoDbReadRequestUnitsPerMillion,
      ),
      line(
        'DynamoDB',
        'on-demand write request units',
        input.dynamoDb.writeRequestUnits / 1e6,
        'million WRU',
        prices.dynamoDbWriteRequestUnitsPerMillion,
      ),
    );
    notes.push(`DynamoDB units: ${input.dynamoDb.source}.`);
  } else {
    notes.push('DynamoDB request units were not measured in this run: the total leaves them out.');
  }
  lines.push(line('CloudWatch Logs', 'ingestion', logBytes / GB, 'GB', prices.cloudWatchLogsIngestionPerGb));
  const totalUsd = lines.reduce((sum, each) => sum + each.usd, 0);
  return {
    prices: { asOf: prices.asOf, region: prices.region, currency: prices.currency },
    lines,
    totalUsd,
    requests: input.apiRequests,
    perMillionRequestsUsd: input.apiRequests > 0 ? (totalUsd / input.apiRequests) * 1e6 : 0,
    notes,
  };
}
