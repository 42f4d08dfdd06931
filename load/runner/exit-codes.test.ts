import { explainExit, isAbortedByThreshold, k6LogMessages } from './exit-codes';

const quiet = { failedThresholds: [], errors: [], abortedByThreshold: false };

describe('explainExit', () => {
  it('says a run passed on exit 0', () => {
    expect(explainExit(0, quiet)).toBe('k6 exit 0: passed — every threshold held.');
  });

  it('names every crossed threshold on exit 99', () => {
    const explanation = explainExit(99, {
      ...quiet,
      failedThresholds: [
        'http_req_duration{route:get} p(95)<0.001 (p(95)=3.10ms)',
        'checks rate>0.99 (rate=97.00%)',
      ],
    });

    expect(explanation).toBe(
      'k6 exit 99: thresholds crossed: http_req_duration{route:get} p(95)<0.001 (p(95)=3.10ms); checks rate>0.99 (rate=97.00%).',
    );
  });

  it('says the run stopped early when an abortOnFail threshold ended it', () => {
    const explanation = explainExit(99, {
      ...quiet,
      failedThresholds: ['http_req_failed rate<0.1 (rate=100.00%)'],
      abortedByThreshold: true,
    });

    expect(explanation).toMatch(
      /^k6 exit 99: stopped early — a threshold with abortOnFail was crossed\. Crossed: http_req_failed rate<0\.1/,
    );
  });

  it.each([
    [
      107,
      ['Error: PROFILE must be one of smoke, load\n\tat profileFromEnv (file:///load/lib/config.ts:58:10)'],
      /^k6 exit 107: the script threw an error: Error: PROFILE must be one of smoke, load$/,
    ],
    [
      108,
      ['test aborted: preflight: GET http://127.0.0.1:1/pets failed'],
      /^k6 exit 108: the script aborted the run \(test\.abort\): preflight: GET/,
    ],
    [104, ['invalid duration "3x"'], /^k6 exit 104: k6 rejected its configuration.*: invalid duration "3x"$/],
    [105, [], /^k6 exit 105: the run was stopped from outside \(Ctrl-C or SIGTERM\)/],
    [97, [], /^k6 exit 97: the Grafana Cloud k6 test run failed/],
    [100, [], /^k6 exit 100: setup\(\) did not finish within setupTimeout\.$/],
    [109, [], /k6 itself crashed/],
    [255, ['something odd'], /^k6 exit 255: k6 failed: something odd\.$/],
  ])('explains exit %d in words', (code, errors, expected) => {
    expect(explainExit(code, { ...quiet, errors })).toMatch(expected);
  });

  it('says k6 was killed when it ended by a signal', () => {
    expect(explainExit(143, { ...quiet, signal: 'SIGTERM' })).toBe(
      'k6 was killed by SIGTERM before it finished; no verdict.',
    );
  });
});

describe('k6LogMessages', () => {
  it('reads the messages of error lines, unescaping quotes and newlines', () => {
    const stderr = [
      'time="2026-11-23T22:25:59Z" level=info msg="just info" source=console',
      'time="2026-11-23T22:25:59Z" level=error msg="Error: PROFILE must be \\"x\\"\\n\\tat readConfig" hint="script exception"',
      'time="2026-11-23T22:25:59Z" level=error msg="thresholds on metrics \'http_req_duration{route:get}\' have been crossed"',
    ].join('\n');

    expect(k6LogMessages(stderr)).toEqual([
      'Error: PROFILE must be "x"\n\tat readConfig',
      "thresholds on metrics 'http_req_duration{route:get}' have been crossed",
    ]);
  });

  it('recognises the line k6 writes when an abortOnFail threshold stops the run', () => {
    const stderr =
      'time="x" level=error msg="thresholds on metrics \'http_req_failed\' were crossed; at least one has abortOnFail enabled, stopping test prematurely"';

    expect(isAbortedByThreshold(stderr)).toBe(true);
    expect(isAbortedByThreshold('level=error msg="thresholds on metrics \'x\' have been crossed"')).toBe(
      false,
    );
  });
});
