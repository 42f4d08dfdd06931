import { jest } from '@jest/globals';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handler } from '../index';
import { lambdaContext } from './events';

/** One invocation's answer, with the body parsed and the log lines it wrote. */
export interface Invocation {
  status: number;
  headers: Record<string, string>;
  rawBody: string;
  body: unknown;
  logs: Record<string, unknown>[];
}

/** What the function answered, as a test reads it: lower-case header names, the body parsed, its JSON log lines. */
export function invocationOf(result: APIGatewayProxyResult, outputLines: string[]): Invocation {
  return {
    status: result.statusCode,
    headers: Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
    ),
    rawBody: result.body,
    body: result.body === '' ? undefined : JSON.parse(result.body),
    logs: outputLines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function captureWrites(stream: NodeJS.WriteStream, into: string[]): { mockRestore(): void } {
  return jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
}

/** Calls the handler as Lambda would and collects what it answered and logged (stdout and stderr). */
export async function invoke(
  event: APIGatewayProxyEvent,
  context: Context = lambdaContext(),
): Promise<Invocation> {
  const written: string[] = [];
  const spies = [captureWrites(process.stdout, written), captureWrites(process.stderr, written)];
  try {
    const result = await handler(event, context, () => undefined);
    if (!result) throw new Error('the handler returned nothing');
    return invocationOf(result, written.join('').split('\n'));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
