// The dynalite image's entry: an in-memory DynamoDB on port 8000. Tables become ACTIVE at once
// (options.json, shared with the in-process provider), like the in-process one.
const dynalite = require('dynalite');
const options = require('./options.json');

const PORT = 8000;
const server = dynalite(options);

// As PID 1 in the container, Node gets no default signal handling: stop on SIGTERM and SIGINT.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

server.listen(PORT, '0.0.0.0', () => {
  process.stdout.write(`dynalite listening on ${PORT}\n`);
});
