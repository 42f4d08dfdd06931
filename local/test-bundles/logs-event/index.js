// The real bundle plus the classic mistake: the whole API Gateway event logged at the top of the
// handler (headers with their authorization value, the body and all). Log hygiene must name it.
const real = require('../../../dist/handler/index.js');

exports.handler = async (event, context) => {
  console.log(
    JSON.stringify({
      level: 'INFO',
      message: 'event received',
      function_request_id: context.awsRequestId,
      event,
    }),
  );
  return real.handler(event, context);
};
