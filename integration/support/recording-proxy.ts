import { createServer, request as httpRequest, type Server } from 'node:http';

/** One DynamoDB API call that went through the proxy: the operation, its input and its output. */
export interface RecordedCall {
  operation: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
}

export interface RecordingProxy {
  endpoint: string;
  calls: RecordedCall[];
  stop(): Promise<void>;
}

/**
 * A loopback proxy in front of DynamoDB that records every call (the `X-Amz-Target` operation and
 * the JSON both ways), so a test can see exactly what the built bundle asked DynamoDB to do.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const answerBody = Buffer.concat(answerChunks);
            const operation = String(incoming.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
            calls.push({
              operation,
              input: JSON.parse(body.toString() || '{}') as Record<string, unknown>,
              output: JSON.parse(answerBody.toString() || '{}') as Record<string, unknown>,
            });
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            outgoing.end(answerBody);
          });
        },
      );
      forward.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
