import { readSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * The wire between the stage and an execution environment: two pipes of newline-delimited JSON,
 * one each way (extra stdio slots of the child process). The environment's side is synchronous on
 * purpose: it sends its answer and then blocks reading the next invocation, so not one line of
 * the function's JavaScript runs between an answer and the next invocation — that is the freeze,
 * whatever the stage does to the process besides. The stage's side is an ordinary stream.
 */

/** The child's stdio slot the stage writes invocations to. */
const TO_ENVIRONMENT_FD = 3;
/** The child's stdio slot the environment writes its messages to. */
const FROM_ENVIRONMENT_FD = 4;

function isRetryable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EINTR';
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Blocking read; a descriptor left non-blocking by the platform is polled every millisecond. */
function readBlocking(fd: number, buffer: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset, data.length - offset);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

export interface EnvironmentSide<In> {
  /** Blocks until the stage sends a message; undefined when the stage has gone (end of the pipe). */
  receive(): In | undefined;
  /** Sends one message; `json` is the message already serialized, when the caller has it. */
  send(message: unknown, json?: string): void;
}

export function environmentSide<In>(
  inFd = TO_ENVIRONMENT_FD,
  outFd = FROM_ENVIRONMENT_FD,
): EnvironmentSide<In> {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return {
    receive() {
      for (;;) {
        const newline = pending.indexOf('\n');
        if (newline !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          return JSON.parse(line) as In;
        }
        const read = readBlocking(inFd, chunk);
        if (read === 0) return undefined;
        pending += decoder.write(chunk.subarray(0, read));
      }
    },
    send(message, json = JSON.stringify(message)) {
      writeAll(outFd, Buffer.from(`${json}\n`));
    },
  };
}

/** The stage's side: calls `onMessage` with each message the environment writes. */
export function readMessages<Out>(stream: Readable, onMessage: (message: Out) => void): void {
  // Chunks are kept until a newline arrives, so a large answer is joined once, not chunk by chunk.
  let parts: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      parts.push(chunk.subarray(start, newline));
      const line = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
      parts = [];
      onMessage(JSON.parse(line.toString('utf8')) as Out);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
  });
}
