// The real bundle keeping 512 KiB per invocation for ever (a cache without a bound): the memory
// growth check must find it although each REPORT stays under the budget for a while.
const real = require('../../../dist/handler/index.js');

const kept = [];

exports.handler = async (event, context) => {
  // fill() touches every page, so the memory is resident, as a real cache's would be.
  kept.push(Buffer.alloc(512 * 1024).fill(kept.length % 251));
  return real.handler(event, context);
};
