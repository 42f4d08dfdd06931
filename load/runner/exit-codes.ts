/**
 * k6's exit codes in plain words. The numbers are k6's own (go.k6.io/k6 `errext/exitcodes`);
 * a failed threshold with `abortOnFail` also exits 99 — k6 says so on stderr, which is how we tell
 * "crossed at the end" from "stopped early".
 */
const K6_EXIT_CODES: Record<number, string> = {
  0: 'passed: every threshold held',
  97: 'the Grafana Cloud k6 test run failed (see its page in Grafana Cloud)',
  98: 'k6 could not get the test progress from Grafana Cloud k6',
  99: 'thresholds crossed',
  100: 'setup() did not finish within setupTimeout',
  101: 'teardown() did not finish within teardownTimeout',
  102: 'the run timed out',
  103: 'the run was stopped through the k6 REST API',
  104: 'k6 rejected its configuration (an option, flag or environment value)',
  105: 'the run was stopped from outside (Ctrl-C or SIGTERM) before it finished',
  106: "k6 could not start its REST API server (the '--address' is taken)",
  107: 'the script threw an error',
  108: 'the script aborted the run (test.abort)',
  109: 'k6 itself crashed (a Go panic: a k6 bug, not the API)',
  110: 'the script marked the run as failed (test.fail)',
};

export interface ExitContext {
  /** Crossed thresholds, named `metric expression (stat=value)`. */
  failedThresholds: string[];
  /** The messages of k6's `level=error` log lines, in order. */
  errors: string[];
  /** k6 said a threshold with abortOnFail stopped the run. */
  abortedByThreshold: boolean;
  /** Set when k6 was killed by a signal rather than exiting. */
  signal?: NodeJS.Signals | null;
}

const ABORT_ON_FAIL = /abortOnFail enabled, stopping test prematurely/;

/** `time="…" level=error msg="…" …` lines of k6's stderr → their messages. */
export function k6LogMessages(stderr: string, level: 'error' | 'warning' = 'error'): string[] {
  const messages: string[] = [];
  const pattern = new RegExp(`level=${level} msg="((?:[^"\\\\]|\\\\.)*)"`, 'g');
  for (const match of stderr.matchAll(pattern)) {
    const raw = match[1] ?? '';
    try {
      messages.push(JSON.parse(`"${raw}"`) as string);
    } catch {
      messages.push(raw);
    }
  }
  return messages;
}

export function isAbortedByThreshold(stderr: string): boolean {
  return ABORT_ON_FAIL.test(stderr);
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

/** One sentence (or two) saying what k6's exit code means for this run. */
export function explainExit(exitCode: number, context: ExitContext): string {
  if (context.signal) return `k6 was killed by ${context.signal} before it finished; no verdict.`;
  const meaning = K6_EXIT_CODES[exitCode];
  const firstError = context.errors.map(firstLine).find((line) => line !== '');
  switch (exitCode) {
    case 0:
      return 'k6 exit 0: passed — every threshold held.';
    case 99: {
      const which = context.failedThresholds.length
        ? context.failedThresholds.join('; ')
        : 'see k6-summary.txt (k6 wrote no summary naming them)';
      return context.abortedByThreshold
        ? `k6 exit 99: stopped early — a threshold with abortOnFail was crossed. Crossed: ${which}.`
        : `k6 exit 99: thresholds crossed: ${which}.`;
    }
    case 107:
    case 108:
    case 104:
    case 110:
      return `k6 exit ${exitCode}: ${meaning}${firstError ? `: ${firstError.replace(/^test aborted: /, '')}` : '.'}`;
    default:
      if (meaning) return `k6 exit ${exitCode}: ${meaning}.${firstError ? ` k6 said: ${firstError}` : ''}`;
      return `k6 exit ${exitCode}: k6 failed${firstError ? `: ${firstError}` : ' without saying why (see its output above)'}.`;
  }
}
