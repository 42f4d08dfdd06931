import { describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import {
  checkTraceHeaders,
  decodePageToken,
  encodePageToken,
  MAX_PET_ID,
  MAX_TRACE_HEADER_LENGTH,
  parsePetId,
} from '../handler/testing';
import { specAjv } from './response-check';
import { loadSpec } from './spec';

/**
 * The spec's parameter schemas and the handler agree: what the schema admits the handler accepts,
 * and the other way round, for the `{id}` path parameter, `nextToken` and the tracing headers.
 * A generator (Schemathesis) reads these schemas; a disagreement is a client surprised by a 400.
 */
type Parameter = { name: string; in: string; schema: Record<string, unknown>; $ref?: string };

function parameterSchema(name: string): Record<string, unknown> {
  const spec = loadSpec() as unknown as {
    paths: Record<string, { parameters?: Parameter[]; get?: { parameters?: Parameter[] } }>;
    components: { parameters: Record<string, Parameter> };
  };
  const all = [
    ...(spec.paths['/pets/{id}']?.parameters ?? []),
    ...(spec.paths['/pets']?.get?.parameters ?? []),
    ...Object.values(spec.components.parameters),
  ];
  const found = all.find((parameter) => parameter.name === name);
  if (!found) throw new Error(`the spec has no parameter ${name}`);
  return found.schema;
}

function validator(name: string): (value: string) => boolean {
  const validate = specAjv().compile(parameterSchema(name));
  return (value) => validate(value) === true;
}

function handlerAcceptsId(value: string): boolean {
  try {
    parsePetId(value);
    return true;
  } catch {
    return false;
  }
}

describe('the {id} path parameter', () => {
  const schemaAccepts = validator('id');

  it.each([
    '1',
    '9',
    '10',
    '999999999999999',
    '1000000000000000',
    '8999999999999999',
    '9007199254740990',
    String(MAX_PET_ID),
    String(MAX_PET_ID + 1),
    '9007199254740999',
    '9007199254741000',
    '9999999999999999',
    '10000000000000000',
    '0',
    '01',
    '-1',
    '+1',
    '1.0',
    '1e3',
    ' 1',
    'abc',
    '',
  ])('gets the same verdict from schema and handler for %j', (value) => {
    expect(schemaAccepts(value)).toBe(handlerAcceptsId(value));
  });

  it('gets the same verdict for any decimal up to 10^17 and any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: 0n, max: 10n ** 17n }).map(String),
          fc.bigInt({ min: BigInt(MAX_PET_ID) - 10_000n, max: BigInt(MAX_PET_ID) + 10_000n }).map(String),
          fc.string(),
        ),
        (value) => schemaAccepts(value) === handlerAcceptsId(value),
      ),
      { numRuns: 5000 },
    );
  });
});

describe('nextToken', () => {
  const schemaAccepts = validator('nextToken');

  it('admits every token the API issues', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_PET_ID }),
        fc.option(fc.string({ minLength: 1, maxLength: 50 }), { nil: undefined }),
        (id, type) => {
          const key = type === undefined ? { id } : { id, type };
          return schemaAccepts(encodePageToken(key, type));
        },
      ),
    );
  });

  it('describes only strings the handler could take for a token: the rest it rejects too', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (value) => {
        if (schemaAccepts(value)) return true;
        expect(() => decodePageToken(value, undefined)).toThrow('Invalid nextToken');
        return true;
      }),
    );
  });
});

describe('the tracing headers', () => {
  const event = (name: string, value: string) =>
    ({ headers: { [name]: value } }) as Pick<APIGatewayProxyEvent, 'headers'>;

  it.each(['x-correlation-id', 'x-harness-run-id'])('%s: schema and handler share the limit', (name) => {
    const schemaAccepts = validator(name);
    for (const length of [0, 1, MAX_TRACE_HEADER_LENGTH, MAX_TRACE_HEADER_LENGTH + 1, 4000]) {
      const value = 'x'.repeat(length);
      let handlerAccepts = true;
      try {
        checkTraceHeaders(event(name, value));
      } catch {
        handlerAccepts = false;
      }
      expect([length, schemaAccepts(value)]).toEqual([length, handlerAccepts]);
    }
  });
});
