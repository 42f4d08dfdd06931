import { describe, expect, it } from '@jest/globals';
import { specAjv } from './response-check';
import { loadSpec, type OpenApiDocument } from './spec';

/** One example the contract gives (a parameter's or a request body's), and the schema it claims. */
interface ContractExample {
  /** JSON pointer of the parameter or media type that carries the example. */
  at: string;
  value: unknown;
}

function pointerSegment(key: string): string {
  return encodeURIComponent(key.replaceAll('~', '~0').replaceAll('/', '~1'));
}

/** Every `example` and `examples` entry beside a `schema`, anywhere in the document. */
function examplesOf(node: unknown, at = ''): ContractExample[] {
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const found: ContractExample[] = [];
  if ('schema' in record) {
    if ('example' in record) found.push({ at, value: record.example });
    for (const example of Object.values((record.examples ?? {}) as Record<string, { value?: unknown }>)) {
      found.push({ at, value: example.value });
    }
  }
  for (const [key, child] of Object.entries(record))
    found.push(...examplesOf(child, `${at}/${pointerSegment(key)}`));
  return found;
}

/** The examples that their own schema rejects, with ajv's complaint. */
function invalidExamples(spec: OpenApiDocument): string[] {
  const ajv = specAjv(spec);
  return examplesOf(spec).flatMap(({ at, value }) => {
    const validate = ajv.getSchema(`spec.json#${at}/schema`);
    if (!validate) return [`${at}: no schema`];
    return validate(value) ? [] : [`${at}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`];
  });
}

/**
 * Schemathesis' examples phase sends the contract's examples as they are, and readers copy them:
 * an example its own schema rejects would be a failure the contract planted.
 */
describe("the contract's examples", () => {
  it('exist for the path id, the list query and the request body', () => {
    const places = examplesOf(loadSpec()).map((example) => decodeURIComponent(example.at));
    expect(places).toEqual(
      expect.arrayContaining([
        '/paths/~1pets/get/parameters/2',
        '/paths/~1pets/get/parameters/4',
        '/paths/~1pets/post/requestBody/content/application~1json',
        '/paths/~1pets~1{id}/parameters/0',
      ]),
    );
  });

  it('each satisfy the schema they stand beside', () => {
    expect(invalidExamples(loadSpec())).toEqual([]);
  });

  it('are checked, so an example out of its schema is named', () => {
    const spec = structuredClone(loadSpec());
    const idParameter = (spec.paths['/pets/{id}'] as { parameters: { example: unknown }[] }).parameters[0];
    if (!idParameter) throw new Error('the contract has no /pets/{id} parameter');
    idParameter.example = '0123';
    expect(invalidExamples(spec)).toEqual([
      expect.stringMatching(/^\/paths\/~1pets~1%7Bid%7D\/parameters\/0: "0123" /u),
    ]);
  });
});
