import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTEGRATION_TIMEOUT_MS } from '../definitions/api-gateway';
import { apiFunctions, finding, type Judge } from './finding';
import { setOutsideTemplate } from './variables';

/** The rules on the functions API Gateway invokes: timeout, reserved concurrency, memory, architecture, variables. */

const INTEGRATION_SECONDS = INTEGRATION_TIMEOUT_MS / 1000;

export const timeout: Judge = (inputs) =>
  apiFunctions(inputs).flatMap(([resource, props]) => {
    // Lambda's default when the template leaves it out.
    const seconds = Number(props.Timeout ?? 3);
    if (seconds < INTEGRATION_SECONDS) return [];
    return [
      finding(
        inputs,
        {
          rule: 'timeout',
          resource,
          property: 'Timeout',
          value: `${seconds} s`,
          limit: `< ${INTEGRATION_SECONDS} s`,
        },
        `at or above API Gateway's ${INTEGRATION_SECONDS} s integration timeout, so a slow request gets 504 while the function runs on, and bills, to ${seconds} s`,
      ),
    ];
  });

export const reservedConcurrency: Judge = (inputs) =>
  apiFunctions(inputs).flatMap(([resource, props]) => {
    if (props.ReservedConcurrentExecutions === undefined) return [];
    const reserved = Number(props.ReservedConcurrentExecutions);
    const { concurrency, source } = inputs.peak;
    if (reserved > concurrency) return [];
    const fields = {
      rule: 'reserved-concurrency' as const,
      resource,
      property: 'ReservedConcurrentExecutions',
      value: String(reserved),
      limit: `more than ${concurrency}, ${source}`,
    };
    return [
      finding(
        inputs,
        fields,
        reserved === 0
          ? 'the function is switched off: Lambda throttles every invocation'
          : 'Lambda counts an environment busy until its runtime asks for the next event, after API Gateway has the answer, so requests at the peak are throttled on AWS',
      ),
    ];
  });

/** Lambda's memory range (MB). */
const MEMORY_RANGE = { min: 128, max: 10_240 };
/** More than this many times the peak the run used: paying for memory never used. */
const MEMORY_HEADROOM = 4;

/** Why a memory size is more than MEMORY_HEADROOM× the peak a run used, or undefined when it is not. */
export function overProvisionedMemory(sizeMb: number, maxMemoryUsedMb: number): string | undefined {
  if (!(maxMemoryUsedMb > 0) || sizeMb <= MEMORY_HEADROOM * maxMemoryUsedMb) return undefined;
  return `${(sizeMb / maxMemoryUsedMb).toFixed(1)}× what the function used: every GB-second of the difference is paid for and never used`;
}

export const memory: Judge = (inputs) =>
  apiFunctions(inputs).flatMap(([resource, props]) => {
    const size = Number(props.MemorySize ?? MEMORY_RANGE.min);
    const fields = { rule: 'memory' as const, resource, property: 'MemorySize', value: `${size} MB` };
    if (!(size >= MEMORY_RANGE.min && size <= MEMORY_RANGE.max)) {
      const limit = `${MEMORY_RANGE.min}–${MEMORY_RANGE.max.toLocaleString('en-US')} MB`;
      return [finding(inputs, { ...fields, limit }, 'outside what Lambda accepts: the deploy fails')];
    }
    const used = inputs.maxMemoryUsedMb ?? Number.NaN;
    const why = overProvisionedMemory(size, used);
    if (why === undefined) return [];
    const limit = `≤ ${MEMORY_HEADROOM}× the ${used} MB Max Memory Used of this run's REPORT lines`;
    return [finding(inputs, { ...fields, limit }, why)];
  });

const ARCHITECTURES = ['arm64', 'x86_64'];
// ELF e_machine of a native module: what CPU it was built for.
const ELF_MACHINES: Record<number, string> = { 62: 'x86_64', 183: 'arm64' };

/** The CPU each native module (`.node`) in the bundle was built for, by its ELF header. */
function nativeModules(bundleDir: string): { file: string; architecture: string }[] {
  const files = readdirSync(bundleDir, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.node'),
  );
  return files.map((file) => {
    const header = readFileSync(join(bundleDir, file)).subarray(0, 20);
    const elf = header.subarray(0, 4).toString('latin1') === '\x7fELF';
    const machine = elf && header.length >= 20 ? header.readUInt16LE(18) : -1;
    return {
      file,
      architecture: ELF_MACHINES[machine] ?? (elf ? `ELF machine ${machine}` : 'not a Linux binary'),
    };
  });
}

export const architecture: Judge = (inputs) =>
  apiFunctions(inputs).flatMap(([resource, props]) => {
    const declared = (props.Architectures as unknown[] | undefined) ?? ['x86_64'];
    const value = declared.map(String).join(', ') || 'empty';
    const fields = { rule: 'architecture' as const, resource, property: 'Architectures', value };
    if (declared.length !== 1 || !ARCHITECTURES.includes(String(declared[0]))) {
      return [
        finding(
          inputs,
          { ...fields, limit: `exactly one of ${ARCHITECTURES.join(', ')}` },
          'Lambda rejects it: the deploy fails',
        ),
      ];
    }
    return nativeModules(inputs.bundleDir)
      .filter((module) => module.architecture !== declared[0])
      .map((module) => {
        const limit = `the CPU the bundle's native module ${module.file} is built for: ${module.architecture}`;
        return finding(
          inputs,
          { ...fields, limit },
          `the runtime cannot load ${module.file}: every cold start fails`,
        );
      });
  });

export const variables: Judge = (inputs) =>
  apiFunctions(inputs).flatMap(([resource, props]) => {
    const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {}) as Record<string, unknown>;
    return inputs.variablesRead
      .filter((name) => !(name in variables) && !setOutsideTemplate(name))
      .map((name) => {
        const fields = {
          rule: 'variables' as const,
          resource,
          property: `Environment.Variables.${name}`,
          value: 'absent',
          limit: 'every variable the handler reads',
        };
        return finding(inputs, fields, `the handler reads ${name}, and on AWS it is not set`);
      });
  });
