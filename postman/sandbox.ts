import type * as chai from 'chai';

/**
 * The part of Postman's script sandbox (`pm`) the collection's scripts use, typed so that the
 * scripts in postman/scripts.ts are checked like the rest of the code. Postman runs them with its
 * own `pm`; they never run here.
 */

interface VariableScope {
  get(key: string): string | undefined;
  set(key: string, value: string | number): void;
}

interface PostmanResponseAssertion {
  have: {
    status(code: number): void;
    jsonSchema(schema: unknown, options?: { multipleOfPrecision?: number }): void;
  };
}

export interface Pm {
  test(name: string, check: () => void): void;
  expect: typeof chai.expect;
  response: {
    code: number;
    to: PostmanResponseAssertion;
    json(): unknown;
    text(): string;
    headers: { get(name: string): string | undefined };
  };
  request: { method: string; url: { path: string[] } };
  variables: VariableScope;
  collectionVariables: VariableScope;
  execution: { setNextRequest(name: string): void; skipRequest(): void };
}

/** A pet as the API answers it. */
export interface SandboxPet {
  id: number;
  type: string;
  breed: string;
  price: number;
}
