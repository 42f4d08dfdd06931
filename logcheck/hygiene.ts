import {
  CREDENTIAL_VARIABLES,
  LAMBDA_RUNTIME_PREFIXES,
  LAMBDA_RUNTIME_VARIABLES,
} from '../definitions/function';
import { belongsToRun, groupByRequest, type Violation } from './checks';
import type { ParsedEvent } from './parse';

/**
 * Log hygiene: what must never reach a log group, checked over every line of the run's window in
 * either log format and from either source (the local store or CloudWatch Logs), the lines an
 * environment writes at init (no request id) included. Each finding
 * names the request id and the field (a JSON path, or `message` for a text line); the offending
 * value itself is never repeated in the report.
 */

export const HYGIENE_RULES = [
  'whole-event',
  'request-body',
  'secret-header',
  'aws-secret',
  'variables-dump',
  'line-size',
] as const;
export type HygieneRule = (typeof HYGIENE_RULES)[number];

export interface HygieneFinding {
  rule: HygieneRule;
  requestId?: string;
  /** The environment's log stream of a line outside any request (its init): where to look. */
  logStreamName?: string;
  field: string;
  /** What was found, without the value. */
  detail: string;
}

/** Default budget for one log line: a request's lines are a few hundred bytes; 8 KiB is a dump. */
const DEFAULT_MAX_LINE_BYTES = 8192;

/** Keys an API Gateway proxy event carries; an object with several of them is the event. */
const EVENT_KEYS = [
  'httpMethod',
  'requestContext',
  'multiValueHeaders',
  'pathParameters',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'stageVariables',
  'isBase64Encoded',
  'resource',
];
const BODY_KEYS = /^(?:body|requestBody|rawBody|request_body|raw_body|payload)$/i;
const SECRET_HEADERS = /^(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key)$/i;
const SECRET_FIELD = /(?:secret|session[-_]?token|security[-_]?token|password)/i;
const REDACTED = /^(?:\**|\[?redacted\]?|<redacted>|\[?hidden\]?|-)$/i;
const CREDENTIALS: readonly string[] = CREDENTIAL_VARIABLES;
/** This many of the variables Lambda's runtime sets, with their values, in one line: the process environment. */
const ENVIRONMENT_DUMP_NAMES = 4;
// `NAME: 'value'` (util.inspect), `"NAME":"value"` (JSON), `NAME=value` (printenv) inside a text line.
const TEXT_VARIABLE = /(?:^|[\s{,'"(])([A-Z_][A-Z0-9_]*)['"]?\s*[:=]\s*(?:'([^']*)'|"([^"]*)"|([^\s,}'"]+))/g;

// Key id (AKIA long-term, ASIA temporary), secret access key (40 base64 characters, mixed case and
// digits, alone), session tokens by the prefixes STS gives them.
const ACCESS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/;
const SECRET_ACCESS_KEY = /(?<![A-Za-z0-9/+=_-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_-])/g;
const SESSION_TOKEN = /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{40,}/;

// The same facts in a text line: util.inspect (`{ httpMethod: 'GET', … }`) or JSON printed inside text.
const TEXT_EVENT = /\bhttpMethod\b[\s\S]*\brequestContext\b|\brequestContext\b[\s\S]*\bhttpMethod\b/;
const TEXT_HEADER =
  /(?:^|[\s{,'"])(authorization|proxy-authorization|cookie|set-cookie|x-api-key)['"]?\s*[:=]\s*(?:'([^']*)'|"([^"]*)"|([^\s,}]+))/gi;
const TEXT_BODY = /(?:^|[\s{,'"])body['"]?\s*[:=]\s*['"]?[{[]/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeAwsSecret(text: string): string | undefined {
  if (ACCESS_KEY_ID.test(text)) return 'an AWS access key id';
  if (SESSION_TOKEN.test(text)) return 'an AWS session token';
  for (const match of text.matchAll(SECRET_ACCESS_KEY)) {
    const token = match[0];
    // Hex digests and plain words are 40 characters too; a secret key mixes cases and digits.
    if (/[A-Z]/.test(token) && /[a-z]/.test(token) && /\d/.test(token)) return 'an AWS secret access key';
  }
  return undefined;
}

function headerValueShown(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(headerValueShown);
  return typeof value === 'string' && value.trim() !== '' && !REDACTED.test(value.trim());
}

function isRuntimeVariable(name: string): boolean {
  return (
    (LAMBDA_RUNTIME_VARIABLES as readonly string[]).includes(name) ||
    LAMBDA_RUNTIME_PREFIXES.some((prefix) => name.startsWith(prefix))
  );
}

/** A credential variable with its value shown: named by the variable, never the value. */
function credentialFinding(name: string, value: unknown, field: string): Omit<HygieneFinding, 'requestId'>[] {
  if (!CREDENTIALS.includes(name) || !headerValueShown(value)) return [];
  return [{ rule: 'aws-secret', field, detail: `the ${name} variable's value` }];
}

/** Variables with their values, several of them the runtime's own: the process environment printed. */
function environmentFinding(
  variables: readonly [string, unknown][],
  field: string,
): Omit<HygieneFinding, 'requestId'>[] {
  const names = [
    ...new Set(
      variables
        .filter(([name, value]) => isRuntimeVariable(name) && headerValueShown(value))
        .map(([name]) => name),
    ),
  ];
  if (names.length < ENVIRONMENT_DUMP_NAMES) return [];
  const shown = names.slice(0, 5).join(', ');
  return [
    {
      rule: 'variables-dump',
      field,
      detail: `${names.length} of the variables Lambda's runtime sets, with their values (${shown}${names.length > 5 ? ', …' : ''})`,
    },
  ];
}

/** Walks a JSON line's fields; `path` is the dotted path of `value`. */
function scanValue(
  value: unknown,
  path: string,
  insideEvent: boolean,
  found: Omit<HygieneFinding, 'requestId'>[],
): void {
  if (typeof value === 'string') {
    const secret = looksLikeAwsSecret(value);
    if (secret) found.push({ rule: 'aws-secret', field: path, detail: `${secret} in ${path}` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      scanValue(item, `${path}[${i}]`, insideEvent, found);
    });
    return;
  }
  if (!isRecord(value)) return;
  const keys = Object.keys(value);
  found.push(...environmentFinding(Object.entries(value), path || '(line)'));
  const isEvent = !insideEvent && keys.filter((key) => EVENT_KEYS.includes(key)).length >= 3;
  if (isEvent)
    found.push({
      rule: 'whole-event',
      field: path || '(line)',
      detail: `an API Gateway event at ${path || 'the top level'}`,
    });
  for (const key of keys) {
    const child = value[key];
    const childPath = path ? `${path}.${key}` : key;
    const credential = credentialFinding(key, child, childPath);
    if (credential.length > 0) found.push(...credential);
    else if (SECRET_HEADERS.test(key) && headerValueShown(child)) {
      found.push({
        rule: 'secret-header',
        field: childPath,
        detail: `the ${key.toLowerCase()} header's value`,
      });
    } else if (
      SECRET_FIELD.test(key) &&
      typeof child === 'string' &&
      child.length >= 16 &&
      !REDACTED.test(child)
    ) {
      found.push({ rule: 'aws-secret', field: childPath, detail: `a secret-named field (${key})` });
    } else if (
      !isEvent &&
      !insideEvent &&
      BODY_KEYS.test(key) &&
      child !== null &&
      child !== '' &&
      child !== undefined
    ) {
      found.push({ rule: 'request-body', field: childPath, detail: `a body in ${childPath}` });
    }
    scanValue(child, childPath, insideEvent || isEvent, found);
  }
}

function scanText(text: string, found: Omit<HygieneFinding, 'requestId'>[]): void {
  if (TEXT_EVENT.test(text))
    found.push({ rule: 'whole-event', field: 'message', detail: 'an API Gateway event printed as text' });
  else if (TEXT_BODY.test(text))
    found.push({ rule: 'request-body', field: 'message', detail: 'a body printed as text' });
  for (const match of text.matchAll(TEXT_HEADER)) {
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    if (headerValueShown(value)) {
      found.push({
        rule: 'secret-header',
        field: 'message',
        detail: `the ${(match[1] ?? '').toLowerCase()} header's value`,
      });
    }
  }
  const variables = [...text.matchAll(TEXT_VARIABLE)].map((match): [string, string] => [
    match[1] ?? '',
    match[2] ?? match[3] ?? match[4] ?? '',
  ]);
  found.push(...variables.flatMap(([name, value]) => credentialFinding(name, value, 'message')));
  found.push(...environmentFinding(variables, 'message'));
  const secret = looksLikeAwsSecret(text);
  if (secret) found.push({ rule: 'aws-secret', field: 'message', detail: secret });
}

/** The findings of one parsed line (the platform's own START/END/REPORT lines only for size). */
export function lineFindings(line: ParsedEvent, maxLineBytes: number): HygieneFinding[] {
  const found: Omit<HygieneFinding, 'requestId'>[] = [];
  const bytes = Buffer.byteLength(line.event.message, 'utf8');
  if (bytes > maxLineBytes) {
    found.push({
      rule: 'line-size',
      field: 'message',
      detail: `${bytes.toLocaleString('en-US')} bytes (budget ${maxLineBytes.toLocaleString('en-US')})`,
    });
  }
  if (line.kind === 'app') scanValue(line.fields, '', false, found);
  else if (line.kind === 'console' || line.kind === 'other') scanText(line.text, found);
  const requestId = 'requestId' in line ? line.requestId : undefined;
  const where = requestId ? { requestId } : { logStreamName: line.event.logStreamName };
  return found.map((finding) => ({ ...finding, ...where }));
}

/** Where a finding's line is: its request, or the init of an environment (no request yet). */
function findingPlace(finding: HygieneFinding): string {
  return finding.requestId
    ? `request ${finding.requestId}`
    : `at init (no request), log stream ${finding.logStreamName ?? '?'}`;
}

/** Findings over the run's lines, and one violation per rule that fired. */
export function checkHygiene(
  parsed: readonly ParsedEvent[],
  runId: string,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): { findings: HygieneFinding[]; violations: Violation[] } {
  const requests = groupByRequest(parsed);
  const findings = parsed
    .filter((line) => {
      const requestId = 'requestId' in line ? line.requestId : undefined;
      return requestId === undefined || belongsToRun(requests.get(requestId), runId);
    })
    .flatMap((line) => lineFindings(line, maxLineBytes));
  const violations: Violation[] = [];
  for (const rule of HYGIENE_RULES) {
    const ofRule = findings.filter((finding) => finding.rule === rule);
    if (ofRule.length === 0) continue;
    const shown = ofRule
      .slice(0, 3)
      .map((finding) => `${findingPlace(finding)} field ${finding.field}: ${finding.detail}`);
    violations.push({
      check: `log-hygiene/${rule}`,
      message: `${ofRule.length} line${ofRule.length === 1 ? '' : 's'}: ${shown.join('; ')}${ofRule.length > 3 ? '; …' : ''}`,
      requestIds: [
        ...new Set(ofRule.map((finding) => finding.requestId).filter((id): id is string => Boolean(id))),
      ],
    });
  }
  return { findings, violations };
}
