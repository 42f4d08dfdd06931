import fc from 'fast-check';

/**
 * Loaded before each test file only under Stryker (stryker.config.mjs), where every handler
 * expression is instrumented and a property's thousands of runs through it take tens of seconds
 * per mutant: longer than Stryker's timeout, which then reports a surviving mutant as a timeout.
 * - A property that fails on a mutant has killed it: no shrinking to a minimal counterexample.
 * - A property stops generating after 1.5 s and passes with the runs it made; a mutant only a
 *   rarer input would catch then survives (an honest loss of power, never a false kill).
 */
fc.configureGlobal({ endOnFailure: true, interruptAfterTimeLimit: 1_500 });
