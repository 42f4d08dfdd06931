import fc from 'fast-check';

/**
 * Loaded before each test file only under Stryker (stryker.config.mjs). A property that fails on a
 * mutant has already killed it; shrinking the counterexample to a minimal one (thousands more runs
 * through the handler and the spec's validators) only costs time and can push the run past
 * Stryker's timeout. The verdict is the same, the shrunk example is not needed.
 */
fc.configureGlobal({ endOnFailure: true });
