import { seededRandom } from '../../common/random';
import { FIGURES_VERSION, type RunFigures } from '../figures';
import { histogramOf } from '../histogram';

/** `count` durations around `centre` ms, reproducible by seed: what one route of one run looks like. */
export function durations(count: number, centre: number, seed: number, spread = centre * 0.3): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () =>
    Math.max(0.1, centre + (random() + random() + random() - 1.5) * spread),
  );
}

/** A run's figures with one k6 route and one Lambda route around the given latencies. */
export function figuresWith(options: {
  k6Ms: number;
  lambdaMs: number;
  initMs: number;
  memoryMb?: number;
  bundleBytes?: number;
  seed: number;
}): RunFigures {
  return {
    version: FIGURES_VERSION,
    routes: { get: histogramOf(durations(60, options.k6Ms, options.seed)) },
    lambda: {
      invocations: 60,
      memorySizeMb: 256,
      durationMs: { 'GET /pets/{id}': histogramOf(durations(60, options.lambdaMs, options.seed + 1)) },
      billedDurationMs: histogramOf(durations(60, options.lambdaMs, options.seed + 1)),
      gbSeconds: 1,
      initDurationMs: [options.initMs],
      maxMemoryUsedMb: options.memoryMb ?? 75,
      environments: [],
    },
    bundleBytes: options.bundleBytes ?? 240_000,
    logs: { events: 240, bytes: 60_000 },
  };
}
