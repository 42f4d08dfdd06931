import { TOOL_VERSIONS } from './cache';
import {
  type EnsurePythonToolOptions,
  ensurePythonTool,
  type PythonTool,
  pythonToolVenv,
} from './python-venv';

/**
 * Schemathesis (PyPI `schemathesis`): the property-based API fuzzer `npm run fuzz` and the run's
 * fuzz step drive. Its own virtualenv in the tool cache, pinned to TOOL_VERSIONS.schemathesis.
 */
const SCHEMATHESIS: PythonTool = {
  name: 'schemathesis',
  venv: 'schemathesis-venv',
  requirement: 'schemathesis',
  distribution: 'schemathesis',
  version: TOOL_VERSIONS.schemathesis,
  entry: 'st',
};

export function schemathesisVenvDir(): string {
  return pythonToolVenv(SCHEMATHESIS);
}

/** Makes `<cache>/schemathesis-venv` with the pinned Schemathesis and returns the `st` path. */
export function ensureSchemathesis(options: EnsurePythonToolOptions = {}): Promise<string> {
  return ensurePythonTool(SCHEMATHESIS, options);
}
