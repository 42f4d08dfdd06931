/**
 * The parts the harness orchestrates, each loaded on first use: `--help` and flag errors answer
 * before newman, the AWS SDK or the stage are loaded. `require` (this is a CommonJS package) keeps
 * the lazy load typed without file extensions.
 */
type PostmanRun = typeof import('../postman/newman');
type LoadRun = typeof import('../load/runner/index');
type FuzzRun = typeof import('../fuzz/index');
type LogCheck = typeof import('../logcheck/index');
type Seed = typeof import('../seed/index');
type LocalApi = typeof import('../local/index');
type K6 = typeof import('../tools/k6');
type Chromium = typeof import('../tools/chromium');
type Aws = typeof import('./aws');
type InfraOutputs = typeof import('../infra/outputs');
type CloudFormation = typeof import('@aws-sdk/client-cloudformation');
type Sts = typeof import('@aws-sdk/client-sts');
type Pipeline = typeof import('./pipeline');
type Report = typeof import('./report');
type Compare = typeof import('../compare/index');
type Cost = typeof import('../cost/index');

export const parts = {
  newman: (): PostmanRun => require('../postman/newman'),
  load: (): LoadRun => require('../load/runner/index'),
  fuzz: (): FuzzRun => require('../fuzz/index'),
  logCheck: (): LogCheck => require('../logcheck/index'),
  seed: (): Seed => require('../seed/index'),
  localApi: (): LocalApi => require('../local/index'),
  k6: (): K6 => require('../tools/k6'),
  chromium: (): Chromium => require('../tools/chromium'),
  aws: (): Aws => require('./aws'),
  infraOutputs: (): InfraOutputs => require('../infra/outputs'),
  cloudFormation: (): CloudFormation => require('@aws-sdk/client-cloudformation'),
  sts: (): Sts => require('@aws-sdk/client-sts'),
  pipeline: (): Pipeline => require('./pipeline'),
  report: (): Report => require('./report'),
  compare: (): Compare => require('../compare/index'),
  cost: (): Cost => require('../cost/index'),
};
