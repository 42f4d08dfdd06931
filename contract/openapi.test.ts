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

  it('names the four operations of the API with their documented statuses', () => {
    expect(
      operations().map((operation) => [
        operation.operationId,
        operation.method,
        operation.resource,
        operation.statuses,
      ]),
    ).toEqual([
      ['listPets', 'GET', '/pets', [200, 400, 500, 503]],
      ['createPet', 'POST', '/pets', [201, 400, 409, 413, 415, 500, 503]],
      ['getPet', 'GET', '/pets/{id}', [200, 400, 404, 500, 503]],
      ['deletePet', 'DELETE', '/pets/{id}', [204, 400, 404, 500, 503]],
    ]);
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
