// A purpose-built function for the freezing tests: `?work=<name>` leaves (or does not leave) work
// running when the handler returns. `?file=<path>&value=<text>` is where a late write goes.
// Plain CommonJS, like a built bundle.
const { appendFileSync, readFileSync } = require('node:fs');
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');

const keepAlive = new http.Agent({ keepAlive: true });

function lateWrite(query) {
  appendFileSync(query.file, `${query.value}\n`);
  console.log(`late write of ${query.value} done`);
}

function get(url, agent) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      })
      .on('error', reject);
  });
}

const works = {
  // Left running: Lambda would freeze each of these at return.
  'timer-write': async (query) => {
    setTimeout(() => lateWrite(query), Number(query.ms ?? 20));
  },
  'unawaited-write': async (query) => {
    // An async write nobody awaits, like `void repository.create(pet)`.
    void (async () => {
      await sleep(Number(query.ms ?? 20));
      lateWrite(query);
    })();
  },
  'unawaited-request': async (query) => {
    void get(query.url, keepAlive);
  },
  immediate: async (query) => {
    setImmediate(() => lateWrite(query));
  },
  // Not left running: nothing to report.
  awaited: async (query) => {
    await sleep(5);
    lateWrite(query);
  },
  'cleared-timer': async () => {
    const timer = setTimeout(() => undefined, 60_000);
    await sleep(1);
    clearTimeout(timer);
  },
  'unref-timer': async () => {
    setTimeout(() => undefined, 60_000).unref();
  },
  'keep-alive-request': async (query) => {
    // Completed; its socket stays open, idle in the agent's pool, which is not work.
    await get(query.url, keepAlive);
  },
  'race-lost': async () => {
    // The loser of a race stays pending forever with nothing behind it once its timer is cleared.
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('late')), 5_000);
    });
    await Promise.race([sleep(1), timeout]);
    clearTimeout(timer);
  },
  read: async (query) => {
    // Reads first thing: work left by an earlier invocation has not had a turn yet.
    let content = '';
    try {
      content = readFileSync(query.file, 'utf8');
    } catch {
      // no file yet
    }
    // Then yields, so that work does get its turn within this invocation.
    await sleep(Number(query.ms ?? 0));
    return content;
  },
};

exports.handler = async (event) => {
  const query = event.queryStringParameters ?? {};
  const work = works[query.work];
  const content = work ? await work(query) : undefined;
  return {
    statusCode: work ? 200 : 400,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      content,
      pid: process.pid,
      node: process.version,
      executionEnv: process.env.AWS_EXECUTION_ENV,
    }),
  };
};
