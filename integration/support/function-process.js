// One Lambda execution environment for the integration tests: loads the built bundle with Node's
// own loader (jest's module sandbox has no dynamic import(), which the AWS SDK uses), then runs
// the invocations the parent sends over IPC and returns each answer with its own log lines.

let pending = '';
const lines = [];
process.stdout.write = (chunk) => {
  pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
    lines.push(pending.slice(0, end));
    pending = pending.slice(end + 1);
  }
  return true;
};

const { handler } = require(process.env.PETS_BUNDLE_ENTRY);
const timeoutMs = Number(process.env.PETS_FUNCTION_TIMEOUT_MS);

/** The log lines of one request, taken out of the buffer. */
function takeLines(requestId) {
  const mine = [];
  for (let index = lines.length - 1; index >= 0; index--) {
    if (lines[index].includes(requestId)) mine.unshift(...lines.splice(index, 1));
  }
  return mine;
}

process.on('message', async (message) => {
  const deadline = Date.now() + timeoutMs;
  const context = {
    ...message.context,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(message.event, context);
    process.send({ id: message.id, result, logs: takeLines(context.awsRequestId) });
  } catch (error) {
    process.send({
      id: message.id,
      error: String(error?.stack ?? error),
      logs: takeLines(context.awsRequestId),
    });
  }
});
process.send({ ready: true });
