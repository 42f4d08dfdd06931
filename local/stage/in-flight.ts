/**
 * What the function left running when its handler returned, seen from inside the execution
 * environment with `async_hooks`: every async resource the invocation creates (promises, timers,
 * requests, handles) is recorded; when the handler has returned, the microtasks and ticks already
 * queued run to quiet (as they would while Lambda's runtime posts the response: no timer and no
 * I/O gets a turn), and the resources still alive are counted by kind. Lambda freezes the
 * environment at that moment, so each of them resumes on a later invocation, or never.
 *
 * "Alive" is judged the way Node's own event loop judges it, so the check is deterministic and
 * does not flag what is not work: a timer that was cleared or has fired is not alive, an unref'd
 * timer or handle (an idle keep-alive socket in an agent's pool, its idle timeout) does not keep
 * the loop alive and is not work, a request is alive while libuv still holds it. Unsettled
 * promises are named only beside such work: with nothing alive behind them (the loser of a race
 * whose timer was cleared) nothing can ever settle them.
 */
import { createHook } from 'node:async_hooks';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Tracked {
  type: string;
  resource: object;
  /** Where it was created: a stack captured now, formatted only if it is reported. */
  site: { stack?: string };
}

/** Plain names for the async resource types, in the order the warning line lists them. */
const KIND_NAMES: Record<string, string> = {
  HTTPCLIENTREQUEST: 'outgoing HTTP request',
  TCPCONNECTWRAP: 'connection attempt',
  GETADDRINFOREQWRAP: 'DNS lookup',
  GETNAMEINFOREQWRAP: 'DNS lookup',
  QUERYWRAP: 'DNS lookup',
  WRITEWRAP: 'socket write',
  SHUTDOWNWRAP: 'socket write',
  TCPWRAP: 'open socket',
  TLSWRAP: 'open socket',
  PIPEWRAP: 'open socket',
  UDPWRAP: 'open socket',
  FSREQCALLBACK: 'file operation',
  FSREQPROMISE: 'file operation',
  Timeout: 'timer',
  Immediate: 'immediate',
  PROMISE: 'unsettled promise',
};
const KIND_ORDER = [...new Set(Object.values(KIND_NAMES))];

export function kindName(type: string): string {
  return KIND_NAMES[type] ?? type.toLowerCase();
}

// Work the microtask and tick queues run before anything else; what it starts is recorded itself.
const TRANSIENT = new Set(['TickObject', 'Microtask']);

interface MaybeTimer {
  _destroyed?: boolean;
  hasRef?: () => boolean;
  req?: { destroyed?: boolean; res?: { complete?: boolean } | null };
}

function isAlive(entry: Tracked, activeRequests: ReadonlySet<unknown>): boolean {
  const resource = entry.resource as MaybeTimer;
  switch (entry.type) {
    case 'Timeout':
    case 'Immediate':
      return resource._destroyed === false && resource.hasRef?.() !== false;
    case 'HTTPCLIENTREQUEST': {
      const request = resource.req;
      return request !== undefined && !request.destroyed && request.res?.complete !== true;
    }
    default:
      if (typeof resource.hasRef === 'function') return resource.hasRef();
      return activeRequests.has(resource);
  }
}

/** `{ 'unsettled promise': 3, timer: 1 }` → `3 unsettled promises, 1 timer` */
function describeKinds(counts: ReadonlyMap<string, number>): string {
  // Known kinds in table order (promises last: they wait on the rest), any other kind before promises.
  const rank = (kind: string) => {
    const at = KIND_ORDER.indexOf(kind);
    return at === -1 ? KIND_ORDER.length - 1.5 : at;
  };
  return [...counts]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([kind, count]) => `${count} ${kind}${count === 1 ? '' : kind.endsWith('s') ? 'es' : 's'}`)
    .join(', ');
}

export interface InFlightTracker {
  /** Starts recording what the invocation creates. */
  begin(): void;
  /** This promise is the runtime's own (the one that awaits the handler): never report it. */
  ignore(promise: Promise<unknown>): void;
  /**
   * Lets the microtasks and ticks the function has queued run until none are left, then calls
   * `done` — before any timer or I/O callback could run.
   */
  settle(done: () => void): void;
  /** Stops recording and counts, by kind, what the invocation created that is still alive. */
  end(): InFlightWork;
}

/** What an invocation left running: counts by kind, and where in the function it was started. */
export interface InFlightWork {
  counts: Map<string, number>;
  /** `handler/repository.ts:105`: the function's own frames that started the live work (first few). */
  origins: string[];
}

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):\d+\)?$/u;
// Frames of Node itself, of dependencies and of this runtime do not say where the function started it.
const NOT_THE_FUNCTION = /^node:|[\\/]node_modules[\\/]|[\\/]stage-runtime[\\/]|^internal[\\/]/u;

/** The first frame of the function's own code in a captured stack, as `file:line`. */
export function originOf(stack: string | undefined): string | undefined {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const frame = FRAME.exec(line);
    if (!frame?.[1] || NOT_THE_FUNCTION.test(frame[1])) continue;
    const file = frame[1].startsWith('file://') ? fileURLToPath(frame[1]) : frame[1];
    return `${isAbsolute(file) ? relative(process.cwd(), file) : file}:${frame[2]}`;
  }
  return undefined;
}

/** `1 timer, 2 unsettled promises (started at handler/repository.ts:105)` */
export function describeWork(work: InFlightWork): string {
  const where = work.origins.length > 0 ? ` (started at ${work.origins.join(', ')})` : '';
  return `${describeKinds(work.counts)}${where}`;
}

/** What is still alive, by kind; the unsettled promises only beside something alive that can settle them. */
function countAlive(resources: Iterable<Tracked>, unsettled: readonly Promise<unknown>[]): InFlightWork {
  const counts = new Map<string, number>();
  const origins = new Set<string>();
  const add = (type: string, count = 1) =>
    counts.set(kindName(type), (counts.get(kindName(type)) ?? 0) + count);
  const activeRequests = new Set<unknown>(process._getActiveRequests?.() ?? []);
  for (const entry of resources) {
    if (!isAlive(entry, activeRequests)) continue;
    add(entry.type);
    const origin = origins.size < 3 ? originOf(entry.site.stack) : undefined;
    if (origin) origins.add(origin);
  }
  if (counts.size > 0 && unsettled.length > 0) add('PROMISE', unsettled.length);
  return { counts, origins: [...origins] };
}

/** Deep enough to get past a library's frames (an SDK request) to the function's own await. */
const SITE_FRAMES = 40;

function captureSite(): { stack?: string } {
  const site: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = SITE_FRAMES;
  Error.captureStackTrace(site, captureSite);
  Error.stackTraceLimit = limit;
  return site;
}

/** A chain of microtasks that never ends must not hold the answer back for ever. */
const MAX_SETTLE_PASSES = 1000;

export function createInFlightTracker(): InFlightTracker {
  const resources = new Map<number, Tracked>();
  const promises = new Map<number, Promise<unknown>>();
  const ignored = new WeakSet<Promise<unknown>>();
  /** Promises, ticks and microtasks created or resolved since the last look: the function still moves. */
  let activity = 0;
  /** Set while the tracker queues its own tick or microtask, which are not the function's. */
  let ownWork = false;
  const hook = createHook({
    init(asyncId, type, _triggerAsyncId, resource) {
      if (ownWork) return;
      activity++;
      if (type === 'PROMISE') promises.set(asyncId, resource as Promise<unknown>);
      else if (!TRANSIENT.has(type)) resources.set(asyncId, { type, resource, site: captureSite() });
    },
    promiseResolve(asyncId) {
      activity++;
      promises.delete(asyncId);
    },
  });
  const own = (queue: () => void) => {
    ownWork = true;
    queue();
    ownWork = false;
  };
  return {
    begin() {
      resources.clear();
      promises.clear();
      hook.enable();
    },
    ignore(promise) {
      ignored.add(promise);
    },
    settle(done) {
      let passes = 0;
      // One pass: a tick (after every tick queued before it), then a microtask (after the
      // microtasks those ticks queued). A pass that saw no activity found both queues empty.
      const look = () => {
        if (activity === 0 || ++passes > MAX_SETTLE_PASSES) return done();
        activity = 0;
        own(() => process.nextTick(() => own(() => queueMicrotask(look))));
      };
      activity = 1;
      look();
    },
    end() {
      hook.disable();
      const work = countAlive(
        resources.values(),
        [...promises.values()].filter((p) => !ignored.has(p)),
      );
      resources.clear();
      promises.clear();
      return work;
    },
  };
}

declare global {
  namespace NodeJS {
    interface Process {
      /** Undocumented but long-standing: the request objects libuv still holds (what keeps the loop alive). */
      _getActiveRequests?: () => unknown[];
    }
  }
}
