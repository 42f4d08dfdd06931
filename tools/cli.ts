import { type CommandSpec, parseFlags, UsageError } from '../common/cli';
import { toolCacheDir } from '../common/paths';
import { type Step, withStep } from '../common/progress';
import { functionSettings } from '../definitions/function';
import { ensureBrowser } from './chromium';
import { connectToEngine } from './container-engine';
import { ensureDynaliteImage } from './images';
import { ensureK6 } from './k6';
import { ensureMoto } from './moto';
import { ensureSchemathesis } from './python-venv';
import { ensureRuntimeNode } from './runtime-node';

/** Every tool the harness and the tests use, each provisioned into the tool cache (idempotent). */
const TOOLS = {
  k6: { label: 'k6', ensure: () => ensureK6() },
  moto: { label: 'moto server (PyPI)', ensure: () => ensureMoto() },
  schemathesis: { label: 'Schemathesis (PyPI)', ensure: () => ensureSchemathesis() },
  browser: {
    label: 'a browser (report screenshots)',
    ensure: async () => {
      const browser = await ensureBrowser();
      return `${browser.executablePath} (from ${browser.source})`;
    },
  },
  node: {
    label: "Node.js of the function's runtime (npm)",
    ensure: async () => (await ensureRuntimeNode(functionSettings().runtime)).path,
  },
  'dynalite-image': {
    label: 'the dynalite container image (containers/dynalite, built here)',
    ensure: (step: Step) => dynaliteImage(step),
  },
} as const;

/** Built when the engine lacks the tag of its inputs; skipped, saying so, where no engine answers. */
async function dynaliteImage(step: Step): Promise<string> {
  const { engine, reason } = await connectToEngine((line) => step.update(line));
  if (!engine)
    return `skipped: no container engine answered (${reason}), so DynamoDB runs in process (dynalite)`;
  const image = await ensureDynaliteImage(engine, (line) => step.update(line));
  const size = `${(image.sizeBytes / 1e6).toFixed(0)} MB`;
  return image.built
    ? `${image.tag}, ${size}, built in ${((image.buildMs ?? 0) / 1000).toFixed(1)} s`
    : `${image.tag}, ${size}, up to date`;
}

type ToolName = keyof typeof TOOLS;

/** What `npm run tools` provisions without `--only`: every tool. */
export const TOOL_NAMES = Object.keys(TOOLS) as ToolName[];

const spec = {
  name: 'pets-harness tools',
  summary: `Provision the tools into ${toolCacheDir()} (PETS_HARNESS_CACHE). Safe to run again; offline once cached.`,
  flags: {
    only: {
      type: 'string',
      multiple: true,
      value: 'NAME',
      help: `only this tool (repeatable): ${TOOL_NAMES.join(', ')}`,
    },
  },
} satisfies CommandSpec<{ only: { type: 'string'; multiple: true; value: string; help: string } }>;

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(spec, argv);
  if (!flags) return 0;
  const names = (flags.only ?? TOOL_NAMES) as string[];
  for (const name of names) {
    if (!(name in TOOLS))
      throw new UsageError(`--only: unknown tool '${name}' (one of ${TOOL_NAMES.join(', ')})`);
  }
  for (const name of names as ToolName[]) {
    const tool = TOOLS[name];
    const location = await withStep(tool.label, (step) => tool.ensure(step));
    console.log(`${name.padEnd(15)} ${location}`);
  }
  return 0;
}
