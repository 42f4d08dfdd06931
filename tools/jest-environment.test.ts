import * as vm from 'node:vm';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';
import PlainGlobalEnvironment from './jest-environment';

/** What jest gives an environment, reduced to what the node environment reads. */
function environmentConfig(): JestEnvironmentConfig {
  return {
    projectConfig: { testEnvironmentOptions: {}, globals: {}, fakeTimers: {} },
    globalConfig: {},
  } as unknown as JestEnvironmentConfig;
}

const context = { console, docblockPragmas: {}, testPath: __filename } as EnvironmentContext;

describe('the test environment (tools/jest-environment.ts)', () => {
  it('runs the test files, this one included, on an ordinary global: the context object itself', () => {
    // Jest's own environment runs a file behind a contextified object: its global is no context.
    expect(vm.isContext(globalThis)).toBe(true);
    const plain = new PlainGlobalEnvironment(environmentConfig(), context);
    const contextified = new NodeEnvironment(environmentConfig(), context);

    expect(plain.getVmContext()).toBe(plain.global);
    expect(contextified.getVmContext()).not.toBe(contextified.global);
  });

  it("is jest's node environment otherwise: globals, timers and the module mocker", () => {
    const environment = new PlainGlobalEnvironment(environmentConfig(), context);
    const run = (code: string) => vm.runInContext(code, environment.getVmContext() as vm.Context);

    expect(run('Math.imul(6, 7)')).toBe(42);
    expect(
      run('typeof setTimeout === "function" && typeof Buffer === "function" && global === globalThis'),
    ).toBe(true);
    expect(environment.fakeTimersModern).not.toBeNull();
    expect(environment.moduleMocker).not.toBeNull();
  });

  it('puts vm.createContext back once the environment is built', () => {
    const before = vm.createContext;

    new PlainGlobalEnvironment(environmentConfig(), context);

    expect(vm.createContext).toBe(before);
  });

  it('gives each test file a global of its own', () => {
    const first = new PlainGlobalEnvironment(environmentConfig(), context);
    const second = new PlainGlobalEnvironment(environmentConfig(), context);

    vm.runInContext('globalThis.leftOver = 1', first.getVmContext() as vm.Context);

    expect(vm.runInContext('typeof leftOver', second.getVmContext() as vm.Context)).toBe('undefined');
  });
});
