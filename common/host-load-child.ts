/**
 * The host sampler's child (common/host-load.ts starts it): every `intervalMs` (its one argument)
 * it does the same fixed CPU work and writes how long it took, in ms, one line each.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const intervalMs = Number(process.argv[2]);
const bytes = Buffer.alloc(1 << 20, 7);

setInterval(() => {
  const started = performance.now();
  for (let i = 0; i < 10; i++) createHash('sha256').update(bytes).digest();
  process.stdout.write(`${(performance.now() - started).toFixed(2)}\n`);
}, intervalMs);
