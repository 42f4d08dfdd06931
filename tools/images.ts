import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { PROJECT_ROOT } from '../common/paths';
import { trackChild } from '../common/processes';
import { TOOL_VERSIONS } from './cache';
import type { Engine } from './container-engine';
import { ensureRuntimeNode, majorOf, systemRuntimeNode } from './runtime-node';

/**
 * Container images the project builds itself, with no registry: a recipe folder under
 * `containers/` (a Dockerfile `FROM scratch` and its files) and a context staged here from what
 * this machine already has — the official Node binary from the npm registry (the tool cache's
 * `node-linux-<arch>`), the shared libraries it loads, packages as the project's lock installed
 * them. An image is tagged by a hash of its inputs, so it is built once and again only when one
 * of them changes.
 */
const IMAGE_LABELS = { recipe: 'org.pets-harness.recipe', inputs: 'org.pets-harness.inputs' } as const;
/** The port every DynamoDB image of the project serves on (AWS's own image uses it too). */
export const DYNAMODB_IMAGE_PORT = 8000;

const RECIPES_DIR = join(PROJECT_ROOT, 'containers');

/** One file or folder of the image: where it goes in the image, and where it comes from here. */
interface Placed {
  target: string;
  source: string;
}

/** Everything an image is made of, and the hash of it that tags the image. */
export interface ImageInputs {
  recipe: string;
  tag: string;
  files: Placed[];
  /** `strip` makes a smaller copy of the Node binary when binutils is installed. */
  stripNode: boolean;
}

type LockPackages = Record<
  string,
  {
    version?: string;
    integrity?: string;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  }
>;

/** Where `name` resolves from the package at `from`, as Node's resolution walks a lock's paths. */
function resolveInLock(packages: LockPackages, from: string, name: string): string | undefined {
  let at = from;
  for (;;) {
    const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!at) return undefined;
    const parent = at.lastIndexOf('/node_modules/');
    at = parent < 0 ? '' : at.slice(0, parent);
  }
}

/** The lock paths of `root` and everything it needs at run time (optional packages included). */
export function lockedClosure(packages: LockPackages, root: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const entry = packages[path] ?? {};
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const found = resolveInLock(packages, path, name);
      if (found) visit(found);
    }
  };
  if (!packages[root]) throw new CannotRunError(`${root} is not in package-lock.json`);
  visit(root);
  return [...seen].sort();
}

/** `ldd` output → the libraries' paths (the dynamic loader included); `not found` lines are skipped. */
export function parseLdd(output: string): string[] {
  return output
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/u.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

function sharedLibraries(binaries: string[]): string[] {
  const libraries = new Set<string>();
  for (const binary of binaries) {
    const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
    if (ldd.error) throw new CannotRunError(`ldd is needed to build the images (${ldd.error.message})`);
    for (const library of parseLdd(ldd.stdout)) libraries.add(library);
  }
  return [...libraries].sort();
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name));
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The official Node binary of the pinned version, never this machine's own build (which may load libnode.so). */
async function imageNode(): Promise<{ path: string; version: string }> {
  const system = { ...systemRuntimeNode(), own: { path: '', version: 'v0.0.0' } };
  return ensureRuntimeNode(`nodejs${majorOf(TOOL_VERSIONS.runtimeNode)}.x`, {}, system);
}

/** The dynalite image's inputs: the recipe, Node, dynalite's locked packages, the libraries they load. */
async function dynaliteImageInputs(): Promise<ImageInputs> {
  const recipeDir = join(RECIPES_DIR, 'dynalite');
  const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: LockPackages;
  };
  const packages = lockedClosure(lock.packages, 'node_modules/dynalite').filter((path) =>
    existsSync(join(PROJECT_ROOT, path)),
  );
  const node = await imageNode();
  const natives = packages.flatMap((path) => filesUnder(join(PROJECT_ROOT, path), '.node'));
  const libraries = sharedLibraries([node.path, ...natives]);
  const files: Placed[] = [
    ...['server.js', 'options.json'].map((name) => ({
      target: `app/${name}`,
      source: join(recipeDir, name),
    })),
    { target: 'usr/local/bin/node', source: node.path },
    ...packages.map((path) => ({ target: `app/${path}`, source: join(PROJECT_ROOT, path) })),
    ...libraries.map((path) => ({ target: path.slice(1), source: path })),
  ];
  const stripNode = spawnSync('strip', ['--version'], { stdio: 'ignore' }).status === 0;
  const fingerprint = [
    `Dockerfile ${sha256(readFileSync(join(recipeDir, 'Dockerfile')))}`,
    ...['server.js', 'options.json'].map((name) => `${name} ${sha256(readFileSync(join(recipeDir, name)))}`),
    `node ${node.version} stripped=${stripNode}`,
    ...packages.map((path) => `${path} ${lock.packages[path]?.version} ${lock.packages[path]?.integrity}`),
    ...libraries.map((path) => `${path} ${sha256(readFileSync(path))}`),
  ];
  return { recipe: 'dynalite', tag: imageTag('dynalite', fingerprint), files, stripNode };
}

/** `pets-harness/<recipe>:<first 12 hex of the inputs' hash>` */
export function imageTag(recipe: string, fingerprint: string[]): string {
  return `pets-harness/${recipe}:${sha256(fingerprint.join('\n')).slice(0, 12)}`;
}

/**
 * The build context: the recipe's Dockerfile and `rootfs/`, whose entries are links to the files
 * here (tar follows them), so nothing large is copied except a stripped Node.
 */
function stageContext(inputs: ImageInputs): string {
  const context = mkdtempSync(join(tmpdir(), `pets-harness-image-${inputs.recipe}-`));
  cpSync(join(RECIPES_DIR, inputs.recipe, 'Dockerfile'), join(context, 'Dockerfile'));
  for (const { target, source } of inputs.files) {
    const path = join(context, 'rootfs', target);
    mkdirSync(dirname(path), { recursive: true });
    if (inputs.stripNode && target === 'usr/local/bin/node') {
      const strip = spawnSync('strip', ['-o', path, source]);
      if (strip.status === 0) continue;
    }
    symlinkSync(source, path);
  }
  return context;
}

interface BuildMessage {
  stream?: string;
  error?: string;
}

/** Sends the context to the engine (a tar that follows the links) and builds the tag; `onLine` gets the builder's steps. */
async function buildFromContext(
  engine: Engine,
  context: string,
  inputs: ImageInputs,
  onLine: (line: string) => void,
): Promise<void> {
  const tar = trackChild(
    spawn('tar', ['-C', context, '-c', '-h', '-f', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let tarError = '';
  tar.stderr.on('data', (chunk: Buffer) => {
    tarError += chunk.toString();
  });
  const { dockerode } = engine.client.container;
  const labels = {
    [IMAGE_LABELS.recipe]: inputs.recipe,
    [IMAGE_LABELS.inputs]: inputs.tag.split(':')[1] ?? '',
  };
  const output = await dockerode.buildImage(tar.stdout, { t: inputs.tag, labels, rm: true, forcerm: true });
  await new Promise<void>((resolve, reject) => {
    dockerode.modem.followProgress(
      output,
      (error: Error | null, messages: BuildMessage[]) => {
        const failed = error?.message ?? messages.find((message) => message.error)?.error;
        if (failed)
          reject(
            new CannotRunError(`building ${inputs.tag} failed: ${failed}${tarError ? `\n${tarError}` : ''}`),
          );
        else resolve();
      },
      (message: BuildMessage) => {
        const line = message.stream?.trim();
        if (line?.startsWith('Step ')) onLine(line);
      },
    );
  });
}

/** Whether the engine already holds `tag`. */
async function hasImage(engine: Engine, tag: string): Promise<boolean> {
  return engine.client.image.exists(engine.testcontainers.ImageName.fromString(tag));
}

async function sizeOf(engine: Engine, tag: string): Promise<number> {
  return (await engine.client.image.inspect(engine.testcontainers.ImageName.fromString(tag))).Size;
}

/** The engine must run this machine's OS and architecture: the image is made of this machine's files. */
function assertSamePlatform(engine: Engine): void {
  const { architecture, operatingSystemType } = engine.client.info.containerRuntime;
  const here = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as 'x64' | 'arm64'];
  if (process.platform !== 'linux' || operatingSystemType !== 'linux' || architecture !== here) {
    throw new CannotRunError(
      `the project's images are built from this machine's files, so they need a Linux machine whose engine runs its architecture (here: ${process.platform}/${process.arch}, engine: ${operatingSystemType}/${architecture})`,
    );
  }
}

export interface EnsuredImage {
  tag: string;
  sizeBytes: number;
  /** Built just now (false: the engine had it). */
  built: boolean;
  buildMs?: number;
}

/**
 * The dynalite image on the engine, built when the engine does not hold the tag of its current
 * inputs; `onProgress` hears each step of a build.
 */
export async function ensureDynaliteImage(
  engine: Engine,
  onProgress: (line: string) => void = () => undefined,
): Promise<EnsuredImage> {
  assertSamePlatform(engine);
  const inputs = await dynaliteImageInputs();
  if (await hasImage(engine, inputs.tag))
    return { tag: inputs.tag, built: false, sizeBytes: await sizeOf(engine, inputs.tag) };
  const startedAt = Date.now();
  onProgress(`building ${inputs.tag} (its inputs changed, or first use): staging`);
  const context = stageContext(inputs);
  try {
    await buildFromContext(engine, context, inputs, (line) => onProgress(`building ${inputs.tag}: ${line}`));
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  const buildMs = Date.now() - startedAt;
  return { tag: inputs.tag, built: true, buildMs, sizeBytes: await sizeOf(engine, inputs.tag) };
}
