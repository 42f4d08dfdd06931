import { readFileSync } from 'node:fs';
import { CannotRunError } from '../common/cli';

/**
 * One dated price table for one region, what the run's traffic is priced at. The first tier of each
 * price (a test run never leaves it). Override it with a JSON file of the same shape
 * (`npm start -- --prices my-prices.json`): another region, a newer date, a negotiated rate.
 */
export interface PriceTable {
  /** When these prices were taken from AWS's public pricing pages. */
  asOf: string;
  region: string;
  currency: 'USD';
  /** API Gateway REST API, per million requests. */
  apiGatewayRestPerMillion: number;
  /** Lambda, per million requests (either architecture). */
  lambdaRequestsPerMillion: number;
  /** Lambda duration, per GB-second, by architecture. */
  lambdaGbSecond: { arm64: number; x86_64: number };
  /** DynamoDB on-demand, per million request units. */
  dynamoDbReadRequestUnitsPerMillion: number;
  dynamoDbWriteRequestUnitsPerMillion: number;
  /** CloudWatch Logs standard-class ingestion, per GB. */
  cloudWatchLogsIngestionPerGb: number;
}

export const DEFAULT_PRICES: PriceTable = {
  asOf: '2026-11-30',
  region: 'us-east-1',
  currency: 'USD',
  apiGatewayRestPerMillion: 3.5,
  lambdaRequestsPerMillion: 0.2,
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  // On-demand prices since DynamoDB's November 2024 reduction.
  dynamoDbReadRequestUnitsPerMillion: 0.125,
  dynamoDbWriteRequestUnitsPerMillion: 0.625,
  cloudWatchLogsIngestionPerGb: 0.5,
};

const NUMBER_FIELDS = [
  'apiGatewayRestPerMillion',
  'lambdaRequestsPerMillion',
  'dynamoDbReadRequestUnitsPerMillion',
  'dynamoDbWriteRequestUnitsPerMillion',
  'cloudWatchLogsIngestionPerGb',
] as const;

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A price file: every field of PriceTable; a missing or wrong one is named (exit 2). */
export function readPriceFile(file: string): PriceTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CannotRunError(`--prices ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const table = parsed as Partial<PriceTable>;
  const wrong: string[] = [];
  if (typeof table.asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(table.asOf))
    wrong.push('asOf (YYYY-MM-DD)');
  if (typeof table.region !== 'string' || table.region === '') wrong.push('region');
  if (table.currency !== 'USD') wrong.push("currency ('USD')");
  for (const field of NUMBER_FIELDS) if (!isPrice(table[field])) wrong.push(field);
  if (!isPrice(table.lambdaGbSecond?.arm64) || !isPrice(table.lambdaGbSecond?.x86_64)) {
    wrong.push('lambdaGbSecond.arm64 and .x86_64');
  }
  if (wrong.length > 0) {
    throw new CannotRunError(`--prices ${file}: missing or not a valid value: ${wrong.join(', ')}`);
  }
  return table as PriceTable;
}
