// A purpose-built function for the stage's tests: `?fault=<name>` picks a behaviour, the default
// echoes the event and parts of the context back as JSON. Plain CommonJS, like a built bundle.
const { setTimeout: sleep } = require('node:timers/promises');

const echo = (event, context) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    event,
    context: {
      awsRequestId: context.awsRequestId,
      functionName: context.functionName,
      memoryLimitInMB: context.memoryLimitInMB,
      invokedFunctionArn: context.invokedFunctionArn,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      remainingAtStart: context.getRemainingTimeInMillis(),
    },
    env: {
      TABLE_NAME: process.env.TABLE_NAME,
      AWS_REGION: process.env.AWS_REGION,
      AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME,
      AWS_LAMBDA_INITIALIZATION_TYPE: process.env.AWS_LAMBDA_INITIALIZATION_TYPE,
      AWS_LAMBDA_LOG_STREAM_NAME: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      TRACE_ID: process.env._X_AMZN_TRACE_ID,
      HOME_LEAKED: process.env.JEST_WORKER_ID,
    },
    pid: process.pid,
  }),
});

const faults = {
  throw: async () => {
    throw new TypeError('the function failed on purpose');
  },
  malformed: async () => ({ statusCode: 200, body: { not: 'a string' } }),
  'unknown-field': async () => ({ statusCode: 200, body: '{}', extra: true }),
  'no-result': async () => undefined,
  sleep: async (event) => {
    await sleep(Number(event.queryStringParameters.ms ?? 60_000));
    return { statusCode: 200, body: JSON.stringify({ slept: true, pid: process.pid }) };
  },
  huge: async () => ({ statusCode: 200, body: 'x'.repeat(7 * 1024 * 1024) }),
  'almost-huge': async () => ({ statusCode: 200, body: 'x'.repeat(5 * 1024 * 1024) }),
  crash: async () => {
    process.exit(1);
  },
  uncaught: async () => {
    setTimeout(() => {
      throw new RangeError('thrown where nobody catches it');
    }, 1);
    await sleep(1000);
    return { statusCode: 200, body: '{}' };
  },
  console: async (_event, context) => {
    console.log('plain log line', { n: 1 });
    console.error('an error line');
    console.warn('a warning');
    process.stdout.write(
      `${JSON.stringify({ level: 'INFO', message: 'raw json', function_request_id: context.awsRequestId })}\n`,
    );
    return { statusCode: 200, body: '{}' };
  },
  headers: async () => ({
    statusCode: 201,
    headers: { 'content-type': 'application/json', 'x-single': 'one', 'x-both': 'from-headers' },
    multiValueHeaders: { 'x-multi': ['a', 'b'], 'x-both': ['from-multi'] },
    body: '{"made":true}',
  }),
  binary: async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from([0, 1, 2, 250, 255]).toString('base64'),
    isBase64Encoded: true,
  }),
  callback: (_event, _context, callback) => {
    setImmediate(() => callback(null, { statusCode: 202, body: '{"via":"callback"}' }));
  },
  memory: async () => {
    const blocks = [];
    for (let i = 0; i < 40; i++) blocks.push(Buffer.alloc(1024 * 1024, i));
    return { statusCode: 200, body: JSON.stringify({ blocks: blocks.length }) };
  },
};

exports.handler = async (event, context) => {
  const fault = event.queryStringParameters?.fault;
  const run = fault ? faults[fault] : undefined;
  if (!run) return echo(event, context);
  if (fault === 'callback') {
    return new Promise((resolve, reject) =>
      run(event, context, (error, result) => (error ? reject(error) : resolve(result))),
    );
  }
  return run(event, context);
};
