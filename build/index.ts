/**
 * Build tooling, apart from the code that is deployed: the handler bundle (what CDK deploys and
 * the local stage runs) and the stage's runtime, both rebuilt only when stale (build/stale.ts).
 */
export { BUNDLE_DIR, buildBundle, ensureBundle } from './bundle';
export { ensureRuntimeBundle } from './runtime-bundle';
