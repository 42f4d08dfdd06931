import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { parseStackOutputs, readStackOutputs } from './outputs';

const deployed = {
  ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/default/',
  TableName: 'pets-ci',
  FunctionName: 'Pets-ci',
  LogGroupName: '/aws/lambda/Pets-ci',
};

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pets-outputs-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function outputsFile(content: unknown): string {
  const file = join(dir, 'cdk-outputs.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('readStackOutputs', () => {
  it('reads the only stack of a cdk deploy outputs file, without the trailing slash of the URL', () => {
    const outputs = readStackOutputs(outputsFile({ 'PetsStack-ci': deployed }));

    expect(outputs).toEqual({
      stackName: 'PetsStack-ci',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/default',
      tableName: 'pets-ci',
      functionName: 'Pets-ci',
      logGroupName: '/aws/lambda/Pets-ci',
    });
  });

  it('accepts a custom domain as the stage URL and guesses no region from any URL', () => {
    const outputs = readStackOutputs(
      outputsFile({ 'PetsStack-ci': { ...deployed, ApiUrl: 'https://pets.example.com/v1/' } }),
    );

    expect(outputs.apiUrl).toBe('https://pets.example.com/v1');
    // The region is the caller's configuration (flag, AWS_REGION, profile), never a URL's guess.
    expect(outputs).not.toHaveProperty('region');
  });

  it('picks the named stack when the file holds several', () => {
    const file = outputsFile({ PetsStack: { ...deployed, TableName: 'pets' }, 'PetsStack-ci': deployed });

    expect(readStackOutputs(file, 'PetsStack').tableName).toBe('pets');
  });

  it.each([
    ['the file is missing', undefined, /no stack outputs at .*: deploy first with 'npm run deploy'/],
    ['the file is not JSON', '{not json', /is not JSON/],
    ['the file is a JSON array', [], /not a JSON object of stacks/],
    ['no stack is listed', {}, /lists no stacks: run 'npm run deploy' first/],
    ['several stacks and no name', { A: deployed, B: deployed }, /several stacks \(A, B\): say which one/],
    ['an output is missing', { PetsStack: { ...deployed, LogGroupName: undefined } }, /lacks LogGroupName/],
    ['the URL is not a URL', { PetsStack: { ...deployed, ApiUrl: 'abc123/default' } }, /is not a URL/],
    [
      'the URL is not http(s)',
      { PetsStack: { ...deployed, ApiUrl: 'ftp://pets.example.com/default' } },
      /is not an http\(s\) URL/,
    ],
    [
      'the URL carries a query',
      { PetsStack: { ...deployed, ApiUrl: 'https://pets.example.com/default?x=1' } },
      /query or fragment/,
    ],
  ])('says what is wrong when %s', (_case, content, message) => {
    const file = content === undefined ? join(dir, 'absent.json') : outputsFile(content);

    expect(() => readStackOutputs(file)).toThrow(CannotRunError);
    expect(() => readStackOutputs(file)).toThrow(message);
  });

  it('names the stacks it has when the asked one is absent', () => {
    expect(() => parseStackOutputs({ PetsStack: deployed }, 'PetsStack-ci', 'cdk-outputs.json')).toThrow(
      "cdk-outputs.json has no stack 'PetsStack-ci' (it has: PetsStack)",
    );
  });
});
