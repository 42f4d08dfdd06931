import { stackNames, validateDeploymentName } from './names';

describe('stack names', () => {
  it('have no suffix by default', () => {
    expect(stackNames()).toEqual({
      deployment: undefined,
      stackName: 'PetsStack',
      tableName: 'pets',
      functionName: 'Pets',
      apiName: 'pets-api',
      stageName: 'default',
      accessLogGroupName: '/aws/apigateway/pets-api/default/access',
    });
  });

  it('carry the deployment name as a suffix', () => {
    expect(stackNames('pr-42')).toEqual(
      expect.objectContaining({
        deployment: 'pr-42',
        stackName: 'PetsStack-pr-42',
        tableName: 'pets-pr-42',
        functionName: 'Pets-pr-42',
        apiName: 'pets-api-pr-42',
      }),
    );
  });

  it.each(['CI', 'ci_1', '-ci', 'ci-', 'a'.repeat(21), 'ci/1', 'ci 1'])(
    'reject the deployment name %j',
    (env) => {
      expect(() => validateDeploymentName(env)).toThrow(/lower-case letters, digits or dashes/);
    },
  );

  it.each(['ci', 'a', 'pr-42', 'a'.repeat(20)])('accept the deployment name %j', (env) => {
    expect(validateDeploymentName(env)).toBe(env);
  });
});
