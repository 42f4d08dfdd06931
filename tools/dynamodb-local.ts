import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { PROJECT_ROOT, toolCacheDir } from '../common/paths';
import { startStep } from '../common/progress';
import { type EnsureOptions, TOOL_VERSIONS } from './cache';

/** The pom that names DynamoDB Local and its native library; kept in the project. */
export const DYNAMODB_LOCAL_POM = join(PROJECT_ROOT, 'tools', 'dynamodb-local', 'pom.xml');
// 3.x moved the entry from com.amazonaws.services.dynamodbv2.local.main (the 1.x/2.x name) to software.amazon.dynamodb.
export const DYNAMODB_LOCAL_MAIN_CLASS = 'software.amazon.dynamodb.services.local.main.ServerRunner';
/** Written last: a directory without it is an interrupted download and is fetched again. */
const COMPLETE_MARKER = '.complete';

const HOW_TO_GET_MAVEN =
  'Install Maven 3 and a JDK 17+ (Debian/Ubuntu: apt-get install maven openjdk-17-jre-headless), ' +
  'or skip the jar: PETS_DYNAMODB=dynalite uses the embedded dynalite, DYNAMODB_ENDPOINT=<url> an existing DynamoDB Local.';

export function dynamoDbLocalDir(version: string = TOOL_VERSIONS.dynamoDbLocal): string {
  return join(toolCacheDir(), 'dynamodb-local', version);
}

/** How to start the jar in `dir`: classpath, native library folder and main class. */
export function dynamoDbLocalCommand(dir: string, port: number): { command: string; args: string[] } {
  const libDir = join(dir, 'lib');
  return {
    command: 'java',
    args: [
      // sqlite4java looks for libsqlite4java-linux-amd64-<version>.so here (the name Maven copies it under).
      `-Dsqlite4java.library.path=${libDir}`,
      `-Djava.library.path=${libDir}`,
      '-Xms64m',
      '-Xmx512m',
      '-cp',
      join(libDir, '*'),
      DYNAMODB_LOCAL_MAIN_CLASS,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
  };
}

export function isDynamoDbLocalCached(version: string = TOOL_VERSIONS.dynamoDbLocal): boolean {
  return existsSync(join(dynamoDbLocalDir(version), COMPLETE_MARKER));
}

function mavenAvailable(): boolean {
  const probe = spawnSync('mvn', ['-v'], { stdio: 'ignore', env: process.env });
  return probe.status === 0;
}

function runMaven(args: string[], onLine: (line: string) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) onLine(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * DynamoDB Local from Maven Central in `<cache>/dynamodb-local/<version>/lib`, with the
 * sqlite4java native library. Idempotent; once the marker exists no network or Maven is needed.
 * Resolves the directory.
 */
export async function ensureDynamoDbLocal(options: EnsureOptions = {}): Promise<string> {
  const version = TOOL_VERSIONS.dynamoDbLocal;
  const dir = dynamoDbLocalDir(version);
  if (isDynamoDbLocalCached(version)) return dir;
  if (!mavenAvailable()) {
    throw new CannotRunError(
      `DynamoDB Local ${version} is not in ${dir} and 'mvn' is not on PATH. ${HOW_TO_GET_MAVEN}`,
    );
  }
  void options.quiet; // work is about to be done, so progress is shown either way
  const step = startStep(`DynamoDB Local ${version} from Maven Central`);
  // Download into a private folder and rename at the end, so a concurrent or interrupted run never
  // leaves a half-filled directory that looks complete.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(join(partial, 'lib'), { recursive: true });
  let artifacts = 0;
  const result = await runMaven(
    [
      '-B',
      '-f',
      DYNAMODB_LOCAL_POM,
      `-Ddynamodb.local.version=${version}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${join(partial, 'lib')}`,
      '-DincludeScope=runtime',
    ],
    (line) => {
      if (/Downloaded|Copying/.test(line)) {
        artifacts += 1;
        step.update(`${artifacts} artifacts`);
      }
    },
  );
  const jar = `DynamoDBLocal-${version}.jar`;
  const libFiles = existsSync(join(partial, 'lib')) ? readdirSync(join(partial, 'lib')) : [];
  const hasNative = libFiles.some((file) => /^libsqlite4java-linux-amd64-.*\.so$/.test(file));
  if (result.code !== 0 || !libFiles.includes(jar) || !hasNative) {
    step.fail(`mvn exited ${result.code}`);
    rmSync(partial, { recursive: true, force: true });
    const tail = result.output.trim().split('\n').slice(-15).join('\n');
    throw new CannotRunError(
      `Could not resolve DynamoDB Local ${version} from Maven Central (needs network once; offline afterwards).\n${tail}\n${HOW_TO_GET_MAVEN}`,
    );
  }
  writeFileSync(join(partial, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, '..'), { recursive: true });
    renameSync(partial, dir);
  } catch (error) {
    // Another process finished first: its complete copy is as good as ours.
    rmSync(partial, { recursive: true, force: true });
    if (!isDynamoDbLocalCached(version)) throw error;
  }
  step.succeed(`${libFiles.length} files in ${dir}`);
  return dir;
}
