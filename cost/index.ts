import { DEFAULT_PRICES, type PriceTable } from './prices';

export { DEFAULT_PRICES, type PriceTable, readPriceFile } from './prices';

/**
 * What the run's own traffic would cost on AWS: API Gateway REST requests, Lambda requests and
 * GB-seconds (Billed Duration × memory, priced by architecture), DynamoDB on-demand request units
 * actually consumed, CloudWatch Logs ingestion. Pure arithmetic over the run's figures.
 */

export interface CostInput {
  /**
   * Requests that reached API Gateway, by the part of the run that sent them (newman, k6, fuzz, …):
   * every one is billed, the ones API Gateway answered alone too.
   */
  requestsSent: Record<string, number>;
  /** Of those, the ones the function answered, per route (`METHOD /resource`), from its log lines. */
  requestsByRoute?: Record<string, number>;
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

export interface RouteRequests {
  /** `METHOD /resource`, or what API Gateway answered alone (no route, too large, …). */
  route: string;
  requests: number;
  /** What API Gateway bills for them. */
  apiGatewayUsd: number;
}

export interface RunCost {
  prices: { asOf: string; region: string; currency: 'USD' };
  lines: CostLine[];
  totalUsd: number;
  /** Every request the run sent through API Gateway. */
  requests: number;
  /** The same, by the part of the run that sent them. */
  requestsBySource: Record<string, number>;
  /** The same, by route, when the function's log lines said which route each request took. */
  routes: RouteRequests[];
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

/**
 * The requests the run's own log lines do not place on a route: those API Gateway answered alone
 * (no route, too large) and the fault round's (their lines carry a run id of their own).
 */
export const GATEWAY_ONLY = 'not in the run’s lines (API Gateway’s own answers, the fault round)';

function routeRequests(input: CostInput, total: number, prices: PriceTable): RouteRequests[] {
  if (!input.requestsByRoute) return [];
  const price = prices.apiGatewayRestPerMillion / 1e6;
  const routes = Object.entries(input.requestsByRoute)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, requests]) => ({ route, requests, apiGatewayUsd: requests * price }));
  const atFunction = routes.reduce((sum, route) => sum + route.requests, 0);
  if (total > atFunction) {
    const requests = total - atFunction;
    routes.push({ route: GATEWAY_ONLY, requests, apiGatewayUsd: requests * price });
  }
  return routes;
}

export function computeCost(input: CostInput, prices: PriceTable = DEFAULT_PRICES): RunCost {
  const apiRequests = Object.values(input.requestsSent).reduce((sum, count) => sum + count, 0);
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
      apiRequests / 1e6,
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
    requests: apiRequests,
    requestsBySource: input.requestsSent,
    routes: routeRequests(input, apiRequests, prices),
    perMillionRequestsUsd: apiRequests > 0 ? (totalUsd / apiRequests) * 1e6 : 0,
    notes,
  };
}
