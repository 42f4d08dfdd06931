import { stackNames, validateEnvName } from './names';

describe('stack names', () => {
  it('have no suffix by default', () => {
    expect(stackNames()).toEqual({
      env: undefined,
      stackName: 'PetsStack',
      tableName: 'pets',
      functionName: 'Pets',
      apiName: 'pets-api',
      stageName: 'default',
      accessLogGroupName: '/aws/apigateway/pets-api/default/access',
    });
  });

  it('carry the environment as a suffix', () => {
    expect(stackNames('pr-42')).toEqual(
      expect.objectContaining({
        env: 'pr-42',
        stackName: 'PetsStack-pr-42',
        tableName: 'pets-pr-42',
        functionName: 'Pets-pr-42',
        apiName: 'pets-api-pr-42',
      }),
    );
  });

  it.each(['CI', 'ci_1', '-ci', 'ci-', 'a'.repeat(21), 'ci/1', 'ci 1'])(
    'reject the environment name %j',
    (env) => {
      expect(() => validateEnvName(env)).toThrow(/lower-case letters, digits or dashes/);
    },
  );

  it.each(['ci', 'a', 'pr-42', 'a'.repeat(20)])('accept the environment name %j', (env) => {
    expect(validateEnvName(env)).toBe(env);
  });
});
