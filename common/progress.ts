/**
 * Progress for long work: on a terminal a spinner with elapsed time, elsewhere (CI, pipes) plain
 * step lines. Everything goes to stderr so stdout stays for results.
 */
export interface Step {
  /** Update the step's detail, e.g. `41,000 / 100,000 pets`. */
  update(detail: string): void;
  succeed(detail?: string): void;
  fail(detail?: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function seconds(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
}

function isInteractive(stream: NodeJS.WriteStream = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

export function startStep(label: string, stream: NodeJS.WriteStream = process.stderr): Step {
  const startedAt = Date.now();
  const interactive = isInteractive(stream);
  let detail = '';
  let lastPlainLine = 0;
  let frame = 0;
  const render = () => {
    frame = (frame + 1) % FRAMES.length;
    stream.write(`\r\x1b[2K${FRAMES[frame]} ${label}${detail ? ` — ${detail}` : ''} (${seconds(startedAt)})`);
  };
  const timer = interactive ? setInterval(render, 100) : undefined;
  timer?.unref();
  if (!interactive) stream.write(`▶ ${label}\n`);
  const finish = (mark: string, finalDetail?: string) => {
    if (timer) clearInterval(timer);
    const text = finalDetail ?? detail;
    stream.write(
      `${interactive ? '\r\x1b[2K' : ''}${mark} ${label}${text ? ` — ${text}` : ''} (${seconds(startedAt)})\n`,
    );
  };
  return {
    update(next) {
      detail = next;
      // Plain output: at most one progress line every 2 s, so CI logs stay readable.
      if (!interactive && Date.now() - lastPlainLine > 2000) {
        lastPlainLine = Date.now();
        stream.write(`  … ${label}: ${detail} (${seconds(startedAt)})\n`);
      }
    },
    succeed: (finalDetail) => finish('✔', finalDetail),
    fail: (finalDetail) => finish('✖', finalDetail),
  };
}

/** Runs `work` as one step: success and failure are both reported, the error is rethrown. */
export function withStep<T>(label: string, work: (step: Step) => Promise<T>): Promise<T> {
  return withDetailedStep(label, async (step) => ({ value: await work(step), detail: '' }));
}

/** Like withStep, for work that says what it did: its detail closes the step's line. */
export async function withDetailedStep<T>(
  label: string,
  work: (step: Step) => Promise<{ value: T; detail: string }>,
): Promise<T> {
  const step = startStep(label);
  try {
    const { value, detail } = await work(step);
    step.succeed(detail);
    return value;
  } catch (error) {
    step.fail(error instanceof Error ? error.message.split('\n')[0] : String(error));
    throw error;
  }
}
