// Run as a child process by the provider's tests: starts DynamoDB (the provider chain), prints it,
// and waits to be signalled, like a test run or `npm start` that gets Ctrl-C.
import { startDynamoDb } from '../../local/dynamodb';

startDynamoDb({ log: (line) => process.stderr.write(`${line}\n`) }).then(
  (running) => {
    process.stdout.write(`${JSON.stringify(running)}\n`);
    setInterval(() => undefined, 60_000);
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
