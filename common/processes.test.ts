import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** A process that tracked a slow cleanup, sent SIGINT once it is ready: what it printed and how it ended. */
async function interrupt(
  mode: string,
): Promise<{ printed: string[]; ended: NodeJS.Signals | number | null }> {
  const child = spawn(
    process.execPath,
    ['-r', require.resolve('tsx/cjs'), join(__dirname, 'test', 'cleanup-then-signal.ts'), mode],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  const ended = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout === 'ready\n') child.kill('SIGINT');
  });
  return { ended: await ended, printed: stdout.trim().split('\n').slice(1) };
}

describe('a tracked cleanup when SIGINT arrives', () => {
  it('runs before the signal ends the process', async () => {
    expect(await interrupt('plain')).toEqual({ printed: ['cleanup done'], ended: 'SIGINT' });
  });

  it("runs before signal-exit's listeners (testcontainers' file lock) end the process", async () => {
    expect(await interrupt('signal-exit')).toEqual({
      printed: ['cleanup done', 'signal-exit callback'],
      ended: 'SIGINT',
    });
  });

  it('leaves the exit to a program that stops in order itself', async () => {
    expect(await interrupt('own-handler')).toEqual({
      printed: ['cleanup done', 'stopped in order'],
      ended: 0,
    });
  });
});
