// The real bundle with the resilience mistakes the fault round must catch: a list answered
// `200 []` when DynamoDB fails (the failure hidden), and every other 503 turned into a 500 whose
// body carries the error's stack, without Retry-After.
const real = require('../../../dist/handler/index.js');

exports.handler = async (event, context) => {
  const result = await real.handler(event, context);
  if (result.statusCode !== 503) return result;
  const { 'retry-after': _dropped, ...headers } = result.headers;
  if (event.httpMethod === 'GET' && event.resource === '/pets') {
    return { ...result, statusCode: 200, headers, body: '[]' };
  }
  const error = new Error('DynamoDB is unavailable');
  return {
    ...result,
    statusCode: 500,
    headers,
    body: JSON.stringify({ message: error.message, stack: error.stack }),
  };
};
