import type { LogEvent } from '../../local/logs/index';
import jsonFormatLines from './fixtures/json-format.json';
import plainTextLines from './fixtures/plain-text.json';

/** Fixture messages as log events one millisecond apart, as FilterLogEvents would return them. */
export function toEvents(
  messages: readonly string[],
  startAt = Date.parse('2026-11-23T22:00:00Z'),
): LogEvent[] {
  return messages.map((message, index) => ({
    logStreamName: '2026/11/23/[$LATEST]0123456789abcdef0123456789abcdef',
    timestamp: startAt + index,
    ingestionTime: startAt + index + 500,
    message,
  }));
}

export const plainTextEvents = (): LogEvent[] => toEvents(plainTextLines);
export const jsonFormatEvents = (): LogEvent[] => toEvents(jsonFormatLines);

/** The request ids the fixtures use, by what happens to them. */
export const IDS = {
  coldOk: '8f5ad3a4-0f0e-4d56-9a1c-1d2f3a4b5c6d',
  notFound: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  serviceUnavailable: '3e1b7c9d-2f4a-4b6c-8d0e-1f2a3b4c5d6e',
  timeout: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  invokeError: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a',
  exitError: '7b6a5f4e-3d2c-4b1a-9f8e-7d6c5b4a3f2e',
  otherRun: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d',
  jsonCold: '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a',
  jsonError: '6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f',
  jsonTimeout: '4f5e6d7c-8b9a-4f0e-8d1c-2b3a4f5e6d7c',
} as const;
