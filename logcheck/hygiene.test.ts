import { format } from 'node:util';
import { functionSettings, lambdaRuntimeVariables } from '../definitions/function';
import { consoleLine as stageConsoleLine } from '../local/stage/lambda-log';
import { checkHygiene, HYGIENE_RULES, lineFindings } from './hygiene';
import { parseEvents } from './parse';
import { plainTextEvents, toEvents } from './test/events';

const RUN = 'run-hygiene';
const REQUEST = '11111111-2222-4333-8444-555555555555';

/** A Powertools JSON line of this run's request, with extra fields. */
function appLine(fields: Record<string, unknown>): string {
  return JSON.stringify({
    level: 'INFO',
    message: 'request completed',
    function_request_id: REQUEST,
    correlation_id: 'c-1',
    run_id: RUN,
    ...fields,
  });
}

/** A runtime text line (`console.log`) inside this request. */
function consoleLine(text: string): string {
  return `2026-11-30T00:00:00.000Z\t${REQUEST}\tINFO\t${text}`;
}

const EVENT = {
  resource: '/pets/{id}',
  path: '/pets/7',
  httpMethod: 'GET',
  headers: { 'x-correlation-id': 'c-1' },
  queryStringParameters: null,
  pathParameters: { id: '7' },
  requestContext: { stage: 'default', requestId: 'r' },
  body: null,
  isBase64Encoded: false,
};

function rulesOf(message: string, maxLineBytes = 8192): string[] {
  const [line] = parseEvents(toEvents([message]));
  return line ? [...new Set(lineFindings(line, maxLineBytes).map((finding) => finding.rule))].sort() : [];
}

describe('log hygiene rules: each fires on a purpose-built line', () => {
  it.each([
    ['whole-event', 'a JSON line holding the event', appLine({ event: EVENT }), ['whole-event']],
    [
      'whole-event',
      'console.log(event) in util.inspect form',
      consoleLine("{ resource: '/pets', httpMethod: 'GET', requestContext: { stage: 'default' } }"),
      ['whole-event'],
    ],
    [
      'request-body',
      'a JSON line holding the body',
      appLine({ body: '{"id":1,"type":"dog"}' }),
      ['request-body'],
    ],
    ['request-body', 'a text line printing the body', consoleLine('body: {"id":1}'), ['request-body']],
    [
      'secret-header',
      'an authorization header value',
      appLine({ headers: { Authorization: 'Bearer abc.def' } }),
      ['secret-header'],
    ],
    ['secret-header', 'a cookie in text', consoleLine('cookie=session=abc123'), ['secret-header']],
    ['secret-header', 'an x-api-key value', appLine({ 'x-api-key': 'k-123456' }), ['secret-header']],
    [
      'aws-secret',
      'a secret access key',
      appLine({ note: 'key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here' }),
      ['aws-secret'],
    ],
    ['aws-secret', 'an access key id in text', consoleLine('using AKIAIOSFODNN7EXAMPLE'), ['aws-secret']],
    [
      'aws-secret',
      'a session token',
      appLine({ token: `IQoJb3JpZ2luX2VjE${'A'.repeat(120)}` }),
      ['aws-secret'],
    ],
    [
      'aws-secret',
      'a credential variable in a JSON line, whatever its value',
      appLine({ AWS_SECRET_ACCESS_KEY: 'local' }),
      ['aws-secret'],
    ],
    ['aws-secret', 'a credential variable in text', consoleLine('AWS_SESSION_TOKEN=x'), ['aws-secret']],
    [
      'variables-dump',
      'a JSON line holding the runtime’s variables',
      appLine({
        env: {
          AWS_REGION: 'us-east-1',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          AWS_LAMBDA_FUNCTION_NAME: 'Pets',
          LAMBDA_TASK_ROOT: '/var/task',
        },
      }),
      ['variables-dump'],
    ],
    ['line-size', 'a line over the budget', appLine({ detail: 'x'.repeat(9000) }), ['line-size']],
  ])('%s: %s', (_rule, _what, message, expected) => {
    expect(rulesOf(message)).toEqual(expected);
  });

  it('covers every rule it declares', () => {
    expect([...HYGIENE_RULES].sort()).toEqual([
      'aws-secret',
      'line-size',
      'request-body',
      'secret-header',
      'variables-dump',
      'whole-event',
    ]);
  });
});

describe('log hygiene rules: quiet on what is fine to log', () => {
  it.each([
    [
      'the handler’s request line',
      appLine({ method: 'GET', resource: '/pets/{id}', status: 200, duration_ms: 3 }),
    ],
    ['a redacted authorization header', appLine({ headers: { authorization: '***' } })],
    ['a variable or two named in text', consoleLine('region AWS_REGION=us-east-1, LANG=en_US.UTF-8')],
    ['a redacted credential variable', appLine({ AWS_SECRET_ACCESS_KEY: '[redacted]' })],
    ['a SHA-1 digest (40 hex characters)', appLine({ etag: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' })],
    ['an X-Ray trace id', appLine({ xray_trace_id: '1-6b0cc30d-e6c4a7982844a8f331e88168' })],
    [
      'a REPORT line',
      `REPORT RequestId: ${REQUEST}\tDuration: 3.1 ms\tBilled Duration: 4 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB`,
    ],
  ])('%s', (_what, message) => {
    expect(rulesOf(message)).toEqual([]);
  });

  it('stays quiet on the log check fixtures of a real function', () => {
    expect(checkHygiene(parseEvents(plainTextEvents()), 'run-1').findings).toEqual([]);
  });
});

describe('the process environment printed at init', () => {
  // What the function sees on the local stage (the runtime's variables, the template's, local
  // credentials) and on Lambda (the same names, real credentials).
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    ...functionSettings().variables,
    TABLE_NAME: 'pets',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...lambdaRuntimeVariables({ ...functionSettings(), runtime: 'nodejs22.x' }, '/var/task'),
  };

  it.each([
    ['console.log(process.env)', format(env)],
    ['console.log(JSON.stringify(process.env))', JSON.stringify(env)],
    [
      'printenv-style lines',
      Object.entries(env)
        .map(([name, value]) => `${name}=${value}`)
        .join('\n'),
    ],
  ])(
    '%s: the environment and each credential, named without their values, with no request id',
    (_how, text) => {
      // Before any request: the runtime writes `undefined` where the request id goes.
      const { findings, violations } = checkHygiene(
        parseEvents(toEvents([stageConsoleLine(undefined, 'INFO', text)])),
        RUN,
      );
      expect(violations.map((violation) => violation.check).sort()).toEqual([
        'log-hygiene/aws-secret',
        'log-hygiene/variables-dump',
      ]);
      expect(findings.map((finding) => finding.detail)).toEqual(
        expect.arrayContaining([
          "the AWS_ACCESS_KEY_ID variable's value",
          "the AWS_SECRET_ACCESS_KEY variable's value",
          expect.stringMatching(/^\d+ of the variables Lambda's runtime sets, with their values \(/),
        ]),
      );
      expect(findings.every((finding) => finding.requestId === undefined)).toBe(true);
      // Where to look: the environment's init, in its log stream.
      for (const violation of violations) {
        expect(violation.message).toMatch(
          /: at init \(no request\), log stream 2026\/11\/23\/\[\$LATEST\]0123456789abcdef0123456789abcdef field \S+: /,
        );
      }
      expect(JSON.stringify(violations)).not.toContain('/usr/local/bin');
    },
  );
});

describe('checkHygiene', () => {
  it('names the request id and the field, and never the value', () => {
    const { findings, violations } = checkHygiene(
      parseEvents(
        toEvents([appLine({ event: { ...EVENT, headers: { authorization: 'Bearer s3cr3t-value' } } })]),
      ),
      RUN,
    );
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'whole-event', requestId: REQUEST, field: 'event' }),
        expect.objectContaining({
          rule: 'secret-header',
          requestId: REQUEST,
          field: 'event.headers.authorization',
        }),
      ]),
    );
    expect(violations.map((violation) => violation.check).sort()).toEqual([
      'log-hygiene/secret-header',
      'log-hygiene/whole-event',
    ]);
    expect(JSON.stringify(violations)).not.toContain('s3cr3t-value');
    expect(violations[0]?.requestIds).toEqual([REQUEST]);
  });

  it('leaves out lines of another run in the same window', () => {
    const otherRun = JSON.stringify({
      message: 'request completed',
      function_request_id: 'other',
      run_id: 'someone-else',
      event: EVENT,
    });
    expect(checkHygiene(parseEvents(toEvents([otherRun])), RUN).findings).toEqual([]);
  });

  it('honours the line budget it is given', () => {
    expect(rulesOf(appLine({ detail: 'x'.repeat(600) }), 512)).toEqual(['line-size']);
  });
});
