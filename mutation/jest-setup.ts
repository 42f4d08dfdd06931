import fc from 'fast-check';

/**
 * Loaded before each test file only under Stryker (mutation/jest.config.ts), where every handler
 * expression is instrumented and a property's thousands of runs through it cost seconds per mutant,
 * six properties' worth for a mutant they all cover.
 * - A property that fails on a mutant has killed it: no shrinking to a minimal counterexample.
 * - A property stops generating after 300 ms and passes with the runs it made (hundreds, even
 *   instrumented); a mutant only a rarer input would catch then survives, an honest loss of power
 *   and never a false kill. The unmutated suite (`npm test`) runs every property in full.
 */
fc.configureGlobal({ endOnFailure: true, interruptAfterTimeLimit: 300 });
