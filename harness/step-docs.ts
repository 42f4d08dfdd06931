import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import { STEP_IDS, type StepId, TARGETS, type Target } from './ids';
import { plannedStepIds, stepDefinition } from './step-table';

/**
 * What people read about the steps, rendered from the step table: the plan line of `--help` and
 * the steps block of docs/harness.md. `npm run docs:steps` rewrites the block; a test fails when
 * the file and the table disagree.
 */

export const STEPS_DOC = join(PROJECT_ROOT, 'docs', 'harness.md');
const BLOCK_BEGIN = '<!-- steps:begin (generated from harness/step-table.ts by `npm run docs:steps`) -->';
const BLOCK_END = '<!-- steps:end -->';

/** The name a step goes by in docs and help (the k6 step's label also names the profile). */
function docName(id: StepId): string {
  const { label } = stepDefinition(id);
  return typeof label === 'function' ? label({ profile: 'smoke' }).replace(/ \(.*\)$/, '') : label;
}

/** `tools → DynamoDB → seed → …`: the steps of a target, in run order. */
export function planLine(target: Target): string {
  return plannedStepIds(target).map(docName).join(' → ');
}

/** The lines `pets-harness run --help` shows for the steps. */
export function planHelpLines(): string[] {
  return TARGETS.map((target) => `  ${target}${target === 'local' ? ' (default)' : ''}: ${planLine(target)}`);
}

function cell(text: string | undefined): string {
  return (text ?? '–').replaceAll('|', '\\|');
}

/** A markdown table with its columns padded, as the formatter (`npm run format`) leaves it. */
function alignedTable(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(3, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header = [], ...body] = rows;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];
}

/** The steps block of docs/harness.md, between its markers. */
export function renderStepsBlock(): string {
  const header = [
    'step',
    'id',
    'kind',
    ...TARGETS.map((target) => `on ${target}`),
    'needs',
    'passes when',
    'skipped when',
  ];
  const rows = STEP_IDS.map((id) => {
    const step = stepDefinition(id);
    return [
      docName(id),
      `\`${id}\``,
      step.check ? 'check' : 'setup',
      ...TARGETS.map((target) => step.on[target]?.does),
      step.needs,
      step.passesWhen,
      step.skip?.when,
    ];
  });
  const table = alignedTable([header, ...rows].map((row) => row.map(cell)));
  return [
    BLOCK_BEGIN,
    '',
    ...TARGETS.map((target) => `- \`${target}\`: ${planLine(target)} → report`),
    '',
    ...table,
    '',
    BLOCK_END,
  ].join('\n');
}

/** The block as it stands in the file, markers included; undefined when the file has none. */
export function writtenStepsBlock(text: string): string | undefined {
  const begin = text.indexOf(BLOCK_BEGIN);
  const end = text.indexOf(BLOCK_END);
  return begin === -1 || end === -1 ? undefined : text.slice(begin, end + BLOCK_END.length);
}

/** Rewrites the block in docs/harness.md from the table. */
function writeStepsDoc(file = STEPS_DOC): void {
  const text = readFileSync(file, 'utf8');
  const written = writtenStepsBlock(text);
  if (written === undefined) throw new Error(`${file} has no ${BLOCK_BEGIN} … ${BLOCK_END} block`);
  writeFileSync(file, text.replace(written, renderStepsBlock()));
}

if (require.main === module) writeStepsDoc();
