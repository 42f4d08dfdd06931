import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { validateOpenApiFile } from './openapi-validity';
import { corsSettings, operations } from './spec';

describe('contract/openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validateOpenApiFile();

    expect(result).toEqual({ valid: true, version: '3.1', errors: null });
  });

  it('is rejected by the validator when broken, so the check above can fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    const broken = join(dir, 'broken.yaml');
    const text = readFileSync(join(__dirname, 'openapi.yaml'), 'utf8');
    writeFileSync(broken, text.replace('operationId: listPets', 'operationId: [listPets]'));

    const result = await validateOpenApiFile(broken).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );

    expect(result.valid).toBe(false);
  });

  it('names the four operations of the API with the statuses the function answers', () => {
    expect(
      operations().map((operation) => [
        operation.operationId,
        operation.method,
        operation.resource,
        operation.functionStatuses,
      ]),
    ).toEqual([
      ['listPets', 'GET', '/pets', [200, 400, 500, 503]],
      ['createPet', 'POST', '/pets', [201, 400, 409, 413, 415, 500, 503]],
      ['getPet', 'GET', '/pets/{id}', [200, 400, 404, 500, 503]],
      ['deletePet', 'DELETE', '/pets/{id}', [204, 400, 404, 500, 503]],
    ]);
  });

  it('documents on every operation the answers API Gateway gives without the function', () => {
    for (const operation of operations()) {
      const gateway = operation.statuses.filter((status) => !operation.functionStatuses.includes(status));
      // createPet's 413 is both: the function's 16 KiB limit and the gateway's 10 MB quota.
      const expected =
        operation.operationId === 'createPet' ? [403, 429, 431, 502, 504] : [403, 413, 429, 431, 502, 504];
      expect([operation.operationId, gateway]).toEqual([operation.operationId, expected]);
    }
  });

  it('carries the CORS block the stack and the stage read', () => {
    expect(corsSettings()).toEqual(
      expect.objectContaining({
        allowOrigins: expect.any(Array),
        allowMethods: expect.arrayContaining(['OPTIONS']),
      }),
    );
  });
});
