// The real bundle with 500 ms more work at init (HEAVIER_INIT_MS to change it), as a large
// dependency or a synchronous config load would add: Init Duration must show it.
const real = require('../../../dist/handler/index.js');

const until = Date.now() + Number(process.env.HEAVIER_INIT_MS ?? 500);
while (Date.now() < until) {
  // Busy on purpose: init is CPU the cold start pays for.
}

exports.handler = real.handler;
