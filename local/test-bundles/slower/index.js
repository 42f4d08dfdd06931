// The real bundle with 100 ms more on GET /pets/{id} (SLOWER_MS to change it): the regression the
// baseline comparison must find against a baseline from the real bundle.
const real = require('../../../dist/handler/index.js');

const extraMs = Number(process.env.SLOWER_MS ?? 100);

exports.handler = async (event, context) => {
  if (event.httpMethod === 'GET' && event.resource === '/pets/{id}') {
    await new Promise((resolve) => setTimeout(resolve, extraMs));
  }
  return real.handler(event, context);
};
