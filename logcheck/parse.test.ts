import { inFlightLine } from '../local/stage/lambda-log';
import { type ParsedLine, parseEvents, parseLine } from './parse';
import { IDS, jsonFormatEvents, plainTextEvents } from './test/events';
import jsonFormatLines from './test/fixtures/json-format.json';
import plainTextLines from './test/fixtures/plain-text.json';

const [, startA, consoleA, completedA, endA, reportA, , , , reportB] = plainTextLines as string[];

describe('parseLine on plain-text Lambda lines', () => {
  it.each<[string, string, Partial<ParsedLine>]>([
    ['START', startA as string, { kind: 'start', requestId: IDS.coldOk, version: '$LATEST' }],
    ['END', endA as string, { kind: 'end', requestId: IDS.coldOk }],
    [
      'a runtime console line',
      consoleA as string,
      { kind: 'console', requestId: IDS.coldOk, level: 'WARN', text: 'slow DynamoDB answer' },
    ],
    [
      "the handler's request completed line",
      completedA as string,
      {
        kind: 'app',
        level: 'INFO',
        message: 'request completed',
        requestId: IDS.coldOk,
        correlationId: 'corr-a',
        runId: 'run-1',
        status: 200,
      },
    ],
    ['INIT_START', plainTextLines[0] as string, { kind: 'other' }],
    [
      "the local stage's in-flight warning",
      inFlightLine(IDS.coldOk, '1 outgoing HTTP request, 2 unsettled promises'),
      { kind: 'in-flight', requestId: IDS.coldOk, work: '1 outgoing HTTP request, 2 unsettled promises' },
    ],
  ])('parses %s', (_name, line, expected) => {
    expect(parseLine(line)).toMatchObject(expected);
  });

  it('reads every REPORT field including Init Duration on a cold start', () => {
    expect(parseLine(reportA as string)).toEqual({
      kind: 'report',
      requestId: IDS.coldOk,
      durationMs: 112.41,
      billedDurationMs: 113,
      memorySizeMb: 256,
      maxMemoryUsedMb: 92,
      initDurationMs: 312.77,
      status: 'success',
    });
  });

  it.each([
    ['tabs with a space before one', reportB as string],
    [
      'spaces only',
      `REPORT RequestId: ${IDS.notFound}  Duration: 8.02 ms  Billed Duration: 9 ms  Memory Size: 256 MB  Max Memory Used: 93 MB`,
    ],
    [
      'one space each',
      `REPORT RequestId: ${IDS.notFound} Duration: 8.02 ms Billed Duration: 9 ms Memory Size: 256 MB Max Memory Used: 93 MB`,
    ],
  ])('reads a warm REPORT line written with %s, without Init Duration', (_name, line) => {
    const parsed = parseLine(line);
    expect(parsed).toEqual({
      kind: 'report',
      requestId: IDS.notFound,
      durationMs: 8.02,
      billedDurationMs: 9,
      memorySizeMb: 256,
      maxMemoryUsedMb: 93,
      status: 'success',
    });
  });

  it('reads Status: timeout from the REPORT line and the request id from the timeout line', () => {
    const lines = (plainTextLines as string[]).filter((line) => line.includes(IDS.timeout)).map(parseLine);
    expect(lines).toEqual(
      expect.arrayContaining([
        { kind: 'timeout', requestId: IDS.timeout, seconds: 10 },
        expect.objectContaining({
          kind: 'report',
          requestId: IDS.timeout,
          status: 'timeout',
          durationMs: 10000,
        }),
      ]),
    );
  });

  it('parses a tab-separated timeout line as the local stage writes it', () => {
    expect(parseLine(`2026-11-23T22:00:13.001Z\t${IDS.timeout}\tTask timed out after 1.00 seconds`)).toEqual({
      kind: 'timeout',
      requestId: IDS.timeout,
      seconds: 1,
    });
  });

  it('parses an uncaught error with its JSON payload', () => {
    const line = (plainTextLines as string[]).find((l) => l.includes('Invoke Error')) as string;
    expect(parseLine(line)).toEqual({
      kind: 'invoke-error',
      requestId: IDS.invokeError,
      label: 'Invoke Error',
      errorType: 'TypeError',
      errorMessage: "Cannot read properties of undefined (reading 'id')",
    });
  });

  it('parses a crashed runtime as Runtime.ExitError, and the REPORT status and error type after it', () => {
    const lines = (plainTextLines as string[]).filter((l) => l.includes(IDS.exitError)).map(parseLine);
    expect(lines).toEqual(
      expect.arrayContaining([
        {
          kind: 'runtime-exit',
          requestId: IDS.exitError,
          errorType: 'Runtime.ExitError',
          message: 'Runtime exited with error: exit status 1',
        },
        expect.objectContaining({
          kind: 'report',
          status: 'error',
          errorType: 'Runtime.ExitError',
          initDurationMs: 368.11,
        }),
      ]),
    );
  });

  // The runtime files stderr under ERROR, as CloudWatch shows it: a process warning (the AWS SDK's
  // end-of-support notice on an old Node) is an error of the deployment, not something to excuse.
  it('keeps a Node process warning on stderr at the ERROR level the runtime gave it', () => {
    const line =
      '2026-11-23T22:34:54.024Z\tundefined\tERROR\t(node:28914) Warning: NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after …';
    expect(parseLine(line)).toEqual({
      kind: 'console',
      level: 'ERROR',
      text: expect.stringMatching(/^\(node:28914\)/),
    });
  });

  it('keeps a genuine init-phase console.error as an ERROR without a request id', () => {
    expect(parseLine('2026-11-23T22:34:54.024Z\tundefined\tERROR\tconfig missing')).toEqual({
      kind: 'console',
      level: 'ERROR',
      text: 'config missing',
    });
  });

  it('parses a Powertools JSON line behind the runtime prefix with the prefix request id as fallback', () => {
    const line = `2026-11-23T22:00:00.100Z\t${IDS.coldOk}\tINFO\t{"level":"INFO","message":"request completed","run_id":"r","status":204}`;
    expect(parseLine(line)).toMatchObject({ kind: 'app', requestId: IDS.coldOk, runId: 'r', status: 204 });
  });
});

describe('parseLine on logFormat JSON records', () => {
  const parsed = (jsonFormatLines as string[]).map(parseLine);

  it('parses platform.start and platform.report with Init Duration', () => {
    expect(parsed).toEqual(
      expect.arrayContaining([
        { kind: 'start', requestId: IDS.jsonCold, version: '$LATEST' },
        {
          kind: 'report',
          requestId: IDS.jsonCold,
          durationMs: 118.2,
          billedDurationMs: 119,
          memorySizeMb: 256,
          maxMemoryUsedMb: 88,
          initDurationMs: 290.45,
          status: 'success',
        },
      ]),
    );
  });

  it('parses a warm platform.report without initDurationMs, and timeout and error statuses', () => {
    const reports = parsed.filter((line) => line.kind === 'report');
    expect(reports).toEqual([
      expect.objectContaining({ requestId: IDS.jsonCold, status: 'success' }),
      expect.not.objectContaining({ initDurationMs: expect.anything() }),
      expect.objectContaining({ requestId: IDS.jsonTimeout, status: 'timeout', durationMs: 10000 }),
    ]);
    expect(reports[1]).toMatchObject({ requestId: IDS.jsonError, status: 'error', errorType: 'Error' });
  });

  it('parses a JSON-format application error line with its level and request id', () => {
    expect(parsed).toContainEqual(
      expect.objectContaining({
        kind: 'app',
        level: 'ERROR',
        requestId: IDS.jsonError,
        message: 'Invoke Error',
      }),
    );
  });

  it('parses platform.initStart as an other line', () => {
    expect(parsed[0]).toEqual({ kind: 'other', text: 'platform.initStart' });
  });
});

describe('parseEvents', () => {
  it('keeps each parsed line with its event', () => {
    const events = plainTextEvents();
    const parsed = parseEvents(events);
    expect(parsed).toHaveLength(events.length);
    expect(parsed[1]?.event).toBe(events[1]);
    expect(parseEvents(jsonFormatEvents()).filter((line) => line.kind === 'other')).toHaveLength(1);
  });
});
