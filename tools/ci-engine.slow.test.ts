import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';

/**
 * `.ci/engine`, the part of `.ci/run` that starts a container engine on a machine without one, run
 * for real: a second dockerd beside whatever engine the machine has (a socket, data root, exec root
 * and pid file of its own, no iptables rules), started by `ensure_engine` and stopped by the EXIT
 * trap. Needs dockerd on PATH (CI installs docker.io before this project runs) and root or
 * password-less sudo (a GitHub runner); without them these tests fail, saying so.
 */

const AS_ROOT = process.getuid?.() === 0 ? [] : ['sudo', '-n'];

/** Whether process `pid` exists (a zombie does not count: it has stopped). */
function processRuns(pid: number): boolean {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return false;
  return !/^State:\s+Z/m.test(readFileSync(status, 'utf8'));
}

interface EngineScriptRun {
  status: number | null;
  output: string;
  /** The pid dockerd wrote to its pid file while the script ran. */
  dockerdPid: number;
  /** The pid the script kept to stop: dockerd's own as root, sudo's (dockerd's parent) through sudo. */
  keptPid: number;
  /** dockerd's parent process while the script ran. */
  dockerdParentPid: number;
}

/** Sources .ci/engine in bash, starts the engine, runs `then`, and lets the EXIT trap stop it. */
function runEngineScript(root: string, then: string): EngineScriptRun {
  const pidFile = join(root, 'dockerd.pid');
  const seen = join(root, 'seen.pid');
  const script = [
    'set -euo pipefail',
    'source .ci/engine',
    'ensure_engine',
    `dockerd_pid=$(cat ${pidFile})`,
    `echo "$dockerd_pid $engine_pid $(awk '/^PPid:/ { print $2 }' /proc/$dockerd_pid/status)" > ${seen}`,
    'docker info --format "engine {{.ServerVersion}}"',
    then,
  ].join('\n');
  const result = spawnSync('bash', ['-c', script], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      DOCKER_HOST: `unix://${join(root, 'docker.sock')}`,
      PETS_CI_DOCKERD_ARGS: [
        `--data-root ${join(root, 'data')}`,
        `--exec-root ${join(root, 'exec')}`,
        `--pidfile ${pidFile}`,
        '--iptables=false',
      ].join(' '),
      PETS_HARNESS_SESSION: `ci-engine-test-${process.pid}`,
    },
  });
  const output = `${result.stdout}${result.stderr}`;
  if (!existsSync(seen)) throw new Error(`the engine did not start:\n${output}`);
  // "<dockerd's pid> <the pid kept> <dockerd's parent>"
  const [dockerdPid = 0, keptPid = 0, dockerdParentPid = 0] = readFileSync(seen, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  return { status: result.status, output, dockerdPid, keptPid, dockerdParentPid };
}

describe('.ci/engine on a machine with no engine answering', () => {
  let root: string;

  beforeAll(() => {
    const dockerd = spawnSync('dockerd', ['--version'], { encoding: 'utf8' });
    if (dockerd.status !== 0)
      throw new Error('these tests need dockerd on PATH (Debian: apt-get install docker.io)');
    if (AS_ROOT.length > 0 && spawnSync('sudo', ['-n', 'true']).status !== 0) {
      throw new Error('these tests need root or password-less sudo to start dockerd');
    }
  });

  beforeEach(() => {
    // Short: a unix socket's path is at most 107 bytes.
    root = mkdtempSync('/tmp/ci-engine-');
  });

  afterEach(() => {
    // dockerd's data root is root's: through sudo only root can remove it.
    const asRoot = AS_ROOT.join(' ');
    spawnSync('bash', [
      '-c',
      // dockerd removes its pid file when it stops: one still there is a dockerd a failed test left.
      `${asRoot} kill $(cat ${join(root, 'dockerd.pid')} 2>/dev/null) 2>/dev/null; ${asRoot} rm -rf ${root}`,
    ]);
  });

  it('starts dockerd, keeps its own pid and stops that dockerd when the script exits', () => {
    const run = runEngineScript(root, 'true');

    expect(run.status).toBe(0);
    expect(run.output).toMatch(/^engine \S+/m);
    // The pid kept is dockerd's, or (through sudo) the sudo whose child dockerd is: never a shell
    // between the script and dockerd, whose end would leave dockerd running.
    expect(run.keptPid).toBe(AS_ROOT.length === 0 ? run.dockerdPid : run.dockerdParentPid);
    expect(run.output).toContain(`dockerd (pid ${run.keptPid}) answers after`);
    expect(run.output).toContain(`dockerd (pid ${run.keptPid}) stopped`);
    expect(processRuns(run.dockerdPid)).toBe(false);
  }, 150_000);

  it('stops dockerd when a step after it fails, and the script still fails', () => {
    const run = runEngineScript(root, 'false');

    expect(run.status).toBe(1);
    expect(run.output).toContain(`dockerd (pid ${run.keptPid}) stopped`);
    expect(processRuns(run.dockerdPid)).toBe(false);
  }, 150_000);
});
