import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigTemplate } from '../../configcheck/template';
import { stackTemplate } from '../../configcheck/test/template';
import type { FuzzOptions } from '../../fuzz/index';
import type { LoadOptions } from '../../load/runner/index';
import type { LogCheckOptions, LogCheckResult } from '../../logcheck/index';
import type { NewmanOptions } from '../../postman/newman';
import type { SeedOptions, SeedSummary } from '../../seed/index';
import { type HarnessParts, lazyParts } from '../parts';
import { fuzzResult, loadResult, logCheckResult, newmanResult } from './fixtures';

/** What the faked parts were asked to do, call by call. */
export interface Calls {
  newman: NewmanOptions[];
  load: LoadOptions[];
  seed: SeedOptions[];
  logCheck: LogCheckOptions[];
  fuzz: FuzzOptions[];
  /** Templates synthesized for the configuration step. */
  synth: string[];
}

/**
 * The real parts with the ones that would reach AWS or run a tool replaced by recording fakes; a
 * template "synthesized from this checkout" is written into `dir`.
 */
export function fakeParts(
  dir: string,
  overrides: {
    newmanPassed?: boolean;
    loadError?: Error;
    seedError?: Error;
    template?: ConfigTemplate;
    logCheck?: Partial<LogCheckResult>;
  } = {},
): {
  calls: Calls;
  parts: HarnessParts;
} {
  const calls: Calls = { newman: [], load: [], seed: [], logCheck: [], fuzz: [], synth: [] };
  const real = lazyParts();
  const parts: HarnessParts = {
    ...real,
    // The template synthesized from this checkout: one of the stack's shape, written for the test.
    build: () => ({ ...real.build(), ensureBundle: async () => ({ dir: 'dist/handler', rebuilt: false }) }),
    synth: () => ({
      ...real.synth(),
      templateStaleness: async () => 'missing',
      ensureTemplate: async () => {
        const path = join(dir, 'PetsStack.template.json');
        writeFileSync(path, JSON.stringify({ Resources: (overrides.template ?? stackTemplate()).resources }));
        calls.synth.push(path);
        return path;
      },
    }),
    k6: () => ({ ...real.k6(), ensureK6: async () => '/opt/k6' }),
    newman: () => ({
      ...real.newman(),
      runNewman: async (options: NewmanOptions) => {
        calls.newman.push(options);
        return newmanResult(
          overrides.newmanPassed === false ? { passed: false, assertions: { total: 214, failed: 3 } } : {},
        );
      },
    }),
    load: () => ({
      ...real.load(),
      runLoad: async (options: LoadOptions) => {
        calls.load.push(options);
        if (overrides.loadError) throw overrides.loadError;
        return loadResult();
      },
    }),
    fuzz: () => ({
      ...real.fuzz(),
      runFuzz: async (options: FuzzOptions) => {
        calls.fuzz.push(options);
        return fuzzResult();
      },
    }),
    seed: () => ({
      ...real.seed(),
      seedTable: async (options: SeedOptions = {}): Promise<SeedSummary> => {
        calls.seed.push(options);
        if (overrides.seedError) throw overrides.seedError;
        return {
          tableName: options.tableName ?? 'pets',
          target: `aws:${options.region}`,
          tableCreated: false,
          resetBy: 'deleting items',
          deleted: 3,
          seedPets: 20,
          generated: 0,
          written: 20,
          retries: 0,
          durationMs: 10,
        };
      },
    }),
    logCheck: () => ({
      ...real.logCheck(),
      runLogCheck: async (options: LogCheckOptions) => {
        calls.logCheck.push(options);
        options.onParsed?.([]);
        return logCheckResult({ source: 'cloudwatch /aws/lambda/Pets-pr-7', ...overrides.logCheck });
      },
    }),
  };
  return { calls, parts };
}
