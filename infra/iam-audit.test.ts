import { leastPrivilegeFindings, literalText, type TemplateJson } from './test/iam-audit';

// The audit that guards the function role must itself catch every kind of over-grant.
const tableArn = { 'Fn::GetAtt': ['Table', 'Arn'] };

function templateWith(
  statement: Record<string, unknown>,
  extra: TemplateJson['Resources'] = {},
): TemplateJson {
  return {
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            { PolicyName: 'Inline', PolicyDocument: { Statement: [{ Effect: 'Allow', ...statement }] } },
          ],
        },
      },
      ...extra,
    },
  };
}

describe('the least-privilege audit', () => {
  it('finds nothing in a statement of named actions on GetAtt and joined ARNs', () => {
    const template = templateWith({
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/type-index']] }],
    });

    expect(leastPrivilegeFindings(template, 'Role')).toEqual([]);
  });

  it.each([
    ['a bare wildcard action', { Action: '*', Resource: tableArn }, 'wildcard action "*"'],
    [
      'a service wildcard action',
      { Action: ['dynamodb:*'], Resource: tableArn },
      'wildcard action "dynamodb:*"',
    ],
    [
      'a partial wildcard action',
      { Action: 'dynamodb:Get*', Resource: tableArn },
      'wildcard action "dynamodb:Get*"',
    ],
    ['Resource "*"', { Action: 'dynamodb:GetItem', Resource: '*' }, 'wildcard resource "*"'],
    ['Resource ["*"]', { Action: 'dynamodb:GetItem', Resource: ['*'] }, 'wildcard resource "*"'],
    [
      'a literal ARN ending in *',
      { Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:us-east-1:1:log-group:*' },
      'wildcard resource',
    ],
    [
      'a joined ARN with a * part',
      { Action: 'dynamodb:Query', Resource: { 'Fn::Join': ['', [tableArn, '/index/*']] } },
      'wildcard resource',
    ],
    [
      'a Fn::Sub ARN with a *',
      { Action: 'dynamodb:Query', Resource: { 'Fn::Sub': 'arn:aws:dynamodb:*:*:table/pets' } },
      'wildcard resource',
    ],
    ['NotAction', { NotAction: 'iam:*', Resource: tableArn }, 'NotAction'],
    ['NotResource', { Action: 'dynamodb:GetItem', NotResource: tableArn }, 'NotResource'],
  ])('reports %s', (_case, statement, expected) => {
    expect(leastPrivilegeFindings(templateWith(statement), 'Role')).toEqual([
      expect.stringContaining(expected),
    ]);
  });

  it('reports a wildcard in a separate AWS::IAM::Policy attached to the role', () => {
    const template = templateWith(
      { Action: 'dynamodb:GetItem', Resource: tableArn },
      {
        DefaultPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'Role' }],
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] },
          },
        },
      },
    );

    expect(leastPrivilegeFindings(template, 'Role')).toEqual([
      'DefaultPolicy: wildcard action "logs:*"',
      'DefaultPolicy: wildcard resource "*"',
    ]);
  });

  it('reports an AWS managed policy on the role', () => {
    const template = templateWith({ Action: 'dynamodb:GetItem', Resource: tableArn });
    const role = template.Resources.Role;
    if (!role?.Properties) throw new Error('fixture has no role');
    role.Properties.ManagedPolicyArns = ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'];

    expect(leastPrivilegeFindings(template, 'Role')).toEqual([
      expect.stringContaining(
        'managed policy "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"',
      ),
    ]);
  });

  it('ignores policies attached to other roles', () => {
    const template = templateWith(
      { Action: 'dynamodb:GetItem', Resource: tableArn },
      {
        OtherPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'OtherRole' }],
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*' }] },
          },
        },
      },
    );

    expect(leastPrivilegeFindings(template, 'Role')).toEqual([]);
  });

  it('gives no literal text for a Ref or GetAtt and the literal parts of a Join', () => {
    expect(literalText({ Ref: 'X' })).toEqual([]);
    expect(literalText(tableArn)).toEqual([]);
    expect(literalText({ 'Fn::Join': ['', [tableArn, '/index/type-index']] })).toEqual(['/index/type-index']);
  });
});
