import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import {
  computeCost,
  DEFAULT_PRICES,
  GATEWAY_ONLY,
  gbSeconds,
  LOG_EVENT_OVERHEAD_BYTES,
  readPriceFile,
} from './index';

describe('computeCost', () => {
  it('prices a hand-computed run', () => {
    // 1 M requests at 100 ms billed and 256 MB: 1e6 × 0.1 s × 0.25 GB = 25,000 GB-s.
    // Log bytes chosen so that messages + 26 bytes per event are exactly 1 GiB.
    const events = 1_000_000;
    const cost = computeCost({
      requestsSent: { newman: 1_000_000 },
      lambda: { invocations: 1_000_000, gbSeconds: 1_000_000 * gbSeconds(100, 256), architecture: 'arm64' },
      dynamoDb: { readRequestUnits: 2_000_000, writeRequestUnits: 500_000, source: 'test' },
      logs: { events, bytes: 1024 ** 3 - events * LOG_EVENT_OVERHEAD_BYTES },
    });
    const usd = Object.fromEntries(cost.lines.map((line) => [`${line.service} ${line.item}`, line.usd]));
    expect(usd['API Gateway REST API requests']).toBeCloseTo(3.5, 10); // 1 M × $3.50/M
    expect(usd['Lambda requests']).toBeCloseTo(0.2, 10); // 1 M × $0.20/M
    expect(usd['Lambda duration (arm64)']).toBeCloseTo(0.333335, 10); // 25,000 × $0.0000133334
    expect(usd['DynamoDB on-demand read request units']).toBeCloseTo(0.25, 10); // 2 M × $0.125/M
    expect(usd['DynamoDB on-demand write request units']).toBeCloseTo(0.3125, 10); // 0.5 M × $0.625/M
    expect(usd['CloudWatch Logs ingestion']).toBeCloseTo(0.5, 10); // 1 GiB × $0.50
    expect(cost.totalUsd).toBeCloseTo(5.095835, 10);
    expect(cost.perMillionRequestsUsd).toBeCloseTo(5.095835, 10);
    expect(cost.prices).toEqual({ asOf: DEFAULT_PRICES.asOf, region: 'us-east-1', currency: 'USD' });
  });

  it('scales to a million requests and prices x86_64 at its own rate', () => {
    // 2,000 requests of 10 ms at 1024 MB on x86_64: 2,000 × 0.01 s × 1 GB = 20 GB-s.
    const cost = computeCost({
      requestsSent: { k6: 2000 },
      lambda: { invocations: 2000, gbSeconds: 2000 * gbSeconds(10, 1024), architecture: 'x86_64' },
      logs: { events: 0, bytes: 0 },
    });
    const expected = 2000 * (3.5 / 1e6) + 2000 * (0.2 / 1e6) + 20 * 0.0000166667;
    expect(cost.totalUsd).toBeCloseTo(expected, 12);
    expect(cost.perMillionRequestsUsd).toBeCloseTo(expected * 500, 9);
    expect(cost.notes.join(' ')).toMatch(/DynamoDB request units were not measured/);
  });
});

describe('the requests a run is billed for', () => {
  // A run of the shape the harness makes: newman, k6 and the fuzz step each send requests; the
  // function's log lines say which route each took, and API Gateway answered some alone.
  const run = {
    requestsSent: { newman: 52, k6: 93, fuzz: 220 },
    requestsByRoute: { 'GET /pets': 160, 'GET /pets/{id}': 90, 'POST /pets': 80, 'DELETE /pets/{id}': 20 },
    lambda: { invocations: 350, gbSeconds: 350 * gbSeconds(10, 256), architecture: 'arm64' as const },
    logs: { events: 1400, bytes: 280_000 },
  };

  it('counts every request sent, the fuzz step’s included, and prices per million over all of them', () => {
    const cost = computeCost(run);
    expect(cost.requests).toBe(365);
    expect(cost.requestsBySource).toEqual({ newman: 52, k6: 93, fuzz: 220 });
    const apiGateway = cost.lines.find((line) => line.service === 'API Gateway');
    expect(apiGateway?.usd).toBeCloseTo(365 * (3.5 / 1e6), 12);
    expect(apiGateway?.quantity).toBeCloseTo(365 / 1e6, 12);
    // Per million over all 365, not over newman's and k6's 145 alone.
    expect(cost.perMillionRequestsUsd).toBeCloseTo((cost.totalUsd / 365) * 1e6, 9);
  });

  it('lists them per route, and what API Gateway answered alone', () => {
    expect(computeCost(run).routes).toEqual([
      { route: 'DELETE /pets/{id}', requests: 20, apiGatewayUsd: expect.closeTo(20 * 3.5e-6, 12) },
      { route: 'GET /pets', requests: 160, apiGatewayUsd: expect.closeTo(160 * 3.5e-6, 12) },
      { route: 'GET /pets/{id}', requests: 90, apiGatewayUsd: expect.closeTo(90 * 3.5e-6, 12) },
      { route: 'POST /pets', requests: 80, apiGatewayUsd: expect.closeTo(80 * 3.5e-6, 12) },
      { route: GATEWAY_ONLY, requests: 15, apiGatewayUsd: expect.closeTo(15 * 3.5e-6, 12) },
    ]);
  });
});

describe('readPriceFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prices-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a table of the same shape', () => {
    const file = join(dir, 'eu.json');
    writeFileSync(
      file,
      JSON.stringify({ ...DEFAULT_PRICES, region: 'eu-west-1', apiGatewayRestPerMillion: 3.7 }),
    );
    expect(readPriceFile(file)).toMatchObject({ region: 'eu-west-1', apiGatewayRestPerMillion: 3.7 });
  });

  it('names every missing or wrong field', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ ...DEFAULT_PRICES, asOf: 'yesterday', lambdaGbSecond: { arm64: -1 } }),
    );
    expect(() => readPriceFile(file)).toThrow(CannotRunError);
    expect(() => readPriceFile(file)).toThrow(/asOf \(YYYY-MM-DD\).*lambdaGbSecond/);
  });
});
