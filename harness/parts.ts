/**
 * The parts a run orchestrates, handed to `runHarness` (tests pass their own). The default loads
 * each on first use: `--help` and flag errors answer before newman, the AWS SDK or the stage are
 * loaded. `require` (this is a CommonJS package) keeps the lazy load typed without file extensions.
 */
export interface HarnessParts {
  newman: () => typeof import('../postman/newman');
  load: () => typeof import('../load/runner/index');
  fuzz: () => typeof import('../fuzz/index');
  faults: () => typeof import('../faults/index');
  access: () => typeof import('../access/index');
  logCheck: () => typeof import('../logcheck/index');
  seed: () => typeof import('../seed/index');
  localApi: () => typeof import('../local/index');
  k6: () => typeof import('../tools/k6');
  aws: () => typeof import('./aws');
  infraOutputs: () => typeof import('../infra/outputs');
  cloudFormation: () => typeof import('@aws-sdk/client-cloudformation');
  sts: () => typeof import('@aws-sdk/client-sts');
  compare: () => typeof import('../compare/index');
  cost: () => typeof import('../cost/index');
  configCheck: () => typeof import('../configcheck/index');
  build: () => typeof import('../build/index');
  synth: () => typeof import('../local/stage/synth');
  rehearsal: () => typeof import('../rehearsal/index');
}

export function lazyParts(): HarnessParts {
  return {
    newman: () => require('../postman/newman'),
    load: () => require('../load/runner/index'),
    fuzz: () => require('../fuzz/index'),
    faults: () => require('../faults/index'),
    access: () => require('../access/index'),
    logCheck: () => require('../logcheck/index'),
    seed: () => require('../seed/index'),
    localApi: () => require('../local/index'),
    k6: () => require('../tools/k6'),
    aws: () => require('./aws'),
    infraOutputs: () => require('../infra/outputs'),
    cloudFormation: () => require('@aws-sdk/client-cloudformation'),
    sts: () => require('@aws-sdk/client-sts'),
    compare: () => require('../compare/index'),
    cost: () => require('../cost/index'),
    configCheck: () => require('../configcheck/index'),
    build: () => require('../build/index'),
    synth: () => require('../local/stage/synth'),
    rehearsal: () => require('../rehearsal/index'),
  };
}
