// The pets API's GET /pets served from memory, with one Powertools-shaped log line per request:
// the stage benchmark's function, so the stage's own overhead is what is measured.
const { randomUUID } = require('node:crypto');

const TYPES = ['dog', 'cat', 'fish', 'bird'];
const pets = Array.from({ length: 20 }, (_, i) => ({
  id: i + 1,
  type: TYPES[i % TYPES.length],
  breed: `breed-${i + 1}`,
  price: Math.round((10 + i * 7.25) * 100) / 100,
}));
const body = JSON.stringify(pets);
let coldStart = true;

exports.handler = async (event, context) => {
  const started = Date.now();
  const headers = event.headers ?? {};
  const correlationId = headers['x-correlation-id'] ?? headers['X-Correlation-Id'] ?? randomUUID();
  const found = event.resource === '/pets' && event.httpMethod === 'GET';
  const status = found ? 200 : 404;
  process.stdout.write(
    `${JSON.stringify({
      level: 'INFO',
      message: 'request completed',
      timestamp: new Date().toISOString(),
      service: 'pets',
      cold_start: coldStart,
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
      correlation_id: correlationId,
      run_id: headers['x-harness-run-id'],
      method: event.httpMethod,
      resource: event.resource,
      path: event.path,
      status,
      duration_ms: Date.now() - started,
    })}\n`,
  );
  coldStart = false;
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: found ? body : JSON.stringify({ message: 'not found' }),
  };
};
