import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWork, kindName, originOf } from './in-flight';

describe('the in-flight warning text', () => {
  it('lists the kinds with their counts, requests first and the promises waiting on them last', () => {
    const counts = new Map([
      [kindName('PROMISE'), 36],
      [kindName('Timeout'), 3],
      [kindName('HTTPCLIENTREQUEST'), 1],
      [kindName('GETADDRINFOREQWRAP'), 2],
      [kindName('SOMENEWWRAP'), 1],
    ]);
    expect(describeWork({ counts, origins: ['handler/repository.ts:107'] })).toBe(
      '1 outgoing HTTP request, 2 DNS lookups, 3 timers, 1 somenewwrap, 36 unsettled promises (started at handler/repository.ts:107)',
    );
  });

  it('names no origin when it found none', () => {
    expect(describeWork({ counts: new Map([['timer', 1]]), origins: [] })).toBe('1 timer');
  });
});

describe('originOf', () => {
  const own = join(process.cwd(), 'handler', 'repository.ts');

  it("skips Node's, the dependencies' and the runtime's frames for the function's own, relative to the cwd", () => {
    const stack = [
      'Error',
      '    at new ClientRequest (node:_http_client:189:20)',
      '    at request (node:http:102:10)',
      `    at NodeHttpHandler.handle (${join(process.cwd(), 'node_modules', '@smithy', 'node-http-handler', 'dist-cjs', 'index.js')}:383:21)`,
      `    at startInvocation (${join(process.cwd(), '.pets-harness', 'stage-runtime', 'runtime.js')}:401:3)`,
      `    at async translate (${own}:107:12)`,
      `    at async Object.create (${own}:133:7)`,
    ].join('\n');
    expect(originOf(stack)).toBe(join('handler', 'repository.ts:107'));
  });

  it('reads file URLs and frames without a function name', () => {
    expect(originOf(`Error\n    at ${pathToFileURL(own).href}:12:5`)).toBe(
      join('handler', 'repository.ts:12'),
    );
  });

  it('finds nothing in a stack of Node and library frames only', () => {
    expect(originOf('Error\n    at listOnTimeout (node:internal/timers:594:17)')).toBeUndefined();
    expect(originOf(undefined)).toBeUndefined();
  });
});
