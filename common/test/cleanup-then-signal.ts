// Run as a child process by processes.test.ts: tracks a cleanup that takes a while, says it is
// ready, and waits for a signal. `signal-exit` loads signal-exit's listeners as testcontainers'
// file lock does; `own-handler` stops in order on its own, as the harness and the stage CLI do.
import { trackCleanup } from '../processes';

const mode = process.argv[2] ?? 'plain';
if (mode === 'signal-exit') {
  const onExit = require('signal-exit') as (callback: () => void) => () => void;
  onExit(() => process.stdout.write('signal-exit callback\n'));
}
trackCleanup(async () => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  process.stdout.write('cleanup done\n');
});
if (mode === 'own-handler') {
  process.once('SIGINT', () => {
    setTimeout(() => {
      process.stdout.write('stopped in order\n');
      process.exit(0);
    }, 600);
  });
}
setInterval(() => undefined, 60_000);
process.stdout.write('ready\n');
