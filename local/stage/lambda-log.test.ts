import {
  consoleLine,
  endLine,
  exitReason,
  invokeErrorLine,
  reportLine,
  runtimeExitLine,
  startLine,
  timeoutLine,
} from './lambda-log';

const id = '8f5b3f2e-1111-2222-3333-444455556666';
const at = new Date('2026-11-23T22:00:00.000Z');

describe('Lambda runtime lines', () => {
  it('writes START and END as the runtime does', () => {
    expect(startLine(id)).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(endLine(id)).toBe(`END RequestId: ${id}`);
  });

  it('writes a warm REPORT with tab-separated fields and billed time rounded up', () => {
    expect(reportLine({ requestId: id, durationMs: 1.234, memorySizeMb: 256, maxMemoryUsedMb: 80.4 })).toBe(
      `REPORT RequestId: ${id}\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB`,
    );
  });

  it('adds Init Duration on a cold start and Status on a timeout', () => {
    expect(
      reportLine({
        requestId: id,
        durationMs: 10_000,
        memorySizeMb: 256,
        maxMemoryUsedMb: 90,
        initDurationMs: 150,
        status: 'timeout',
      }),
    ).toBe(
      `REPORT RequestId: ${id}\tDuration: 10000.00 ms\tBilled Duration: 10000 ms\tMemory Size: 256 MB\tMax Memory Used: 90 MB\tInit Duration: 150.00 ms\tStatus: timeout`,
    );
  });

  it('writes the timeout line', () => {
    expect(timeoutLine(id, 10, at)).toBe(`2026-11-23T22:00:00.000Z ${id} Task timed out after 10.00 seconds`);
  });

  it.each([
    [1, null, 'exit status 1'],
    [null, 'SIGKILL', 'signal: killed'],
    [null, 'SIGSEGV', 'signal: segv'],
  ] as const)('names an exit with code %s and signal %s as "%s"', (code, signal, reason) => {
    expect(exitReason(code, signal)).toBe(reason);
  });

  it('writes the runtime exit as one event with the error type on its second line', () => {
    expect(runtimeExitLine(id, 'exit status 1')).toBe(
      `RequestId: ${id} Error: Runtime exited with error: exit status 1\nRuntime.ExitError`,
    );
  });

  it('prefixes console lines with time, request id and level', () => {
    expect(consoleLine(id, 'INFO', 'hello', at)).toBe(`2026-11-23T22:00:00.000Z\t${id}\tINFO\thello`);
  });

  it('writes a thrown error as Invoke Error with its type, message and stack lines', () => {
    const error = new TypeError('bad');
    const line = invokeErrorLine(id, error, at);
    const [time, requestId, level, message] = line.split('\t');
    expect([time, requestId, level, message]).toEqual([
      '2026-11-23T22:00:00.000Z',
      id,
      'ERROR',
      'Invoke Error ',
    ]);
    expect(JSON.parse(line.split('\t')[4] ?? '')).toEqual({
      errorType: 'TypeError',
      errorMessage: 'bad',
      stack: (error.stack ?? '').split('\n'),
    });
  });
});
