import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';

// The module object itself, which jest's environment reads createContext from when it builds the
// context (an ES import would give a copy of it).
const vm: typeof import('node:vm') = require('node:vm');

/**
 * Jest's node environment, its test files given an ordinary global object.
 *
 * Jest runs each test file in a vm context whose global object is "contextified": every lookup of
 * a global (`Math`, `JSON`, `Number`, `Date`) from the file's code goes through Node's interceptors
 * and jest's global proxy, a hundred times slower than in a plain script (10 million
 * `Math.floor` calls: 6 s instead of 50 ms on this project's 2-core machine). Hot loops that name a
 * global — the bootstrap in compare/, seeded random pets, fast-check's generators, ajv's validators
 * — paid that on every iteration. Node's `vm.constants.DONT_CONTEXTIFY` (Node 22.8+) makes a
 * context whose global is an ordinary object: the environment below is jest's own, created while
 * `vm.createContext` makes such a context. What jest's proxy adds (deleting what a test file left
 * on the global at teardown) is lost; each file still gets a global of its own.
 */
export default class PlainGlobalEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    // Undefined before Node 22.8, whatever the types say.
    const plain: typeof vm.constants.DONT_CONTEXTIFY | undefined = vm.constants?.DONT_CONTEXTIFY;
    const createContext = vm.createContext;
    // Older Nodes have no such context: jest's environment as it is.
    if (plain !== undefined) Reflect.set(vm, 'createContext', () => createContext(plain));
    try {
      super(config, context);
    } finally {
      Reflect.set(vm, 'createContext', createContext);
    }
  }
}
