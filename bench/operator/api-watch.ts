// A bare watch on the API server with the admin token, timestamping every event the moment its
// bytes arrive. It is the baseline of the propagation benchmark (when did the API server announce
// the change?) and the probe for "the ConfigMap is published". No client library in between, so
// the figure is the API server's own latency plus one loopback hop.
import { readFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import type { ControlPlane } from '../../test/harness/control-plane.ts';
import { wallMs } from './messages.ts';

/** An object as the API server sends it; only the fields the benchmark reads are typed. */
export interface WatchedObject {
  metadata: { name: string; namespace?: string; resourceVersion: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** One watch event and when it arrived. */
export interface ApiEvent {
  type: string;
  object: WatchedObject;
  atMs: number;
}

/** A running watch; `events` only grows. */
export interface ApiWatch {
  readonly events: ApiEvent[];
  /** The first event from index `from` on that `match` accepts; rejects after `timeoutMs`. */
  next(match: (event: ApiEvent) => boolean, from: number, timeoutMs?: number): Promise<ApiEvent>;
  stop(): void;
}

/**
 * Lists `path` (a collection URL, with `query` such as a field selector) and watches it from the
 * list's resourceVersion, reconnecting from the last seen version when the server ends the stream.
 */
export async function watchApi(cp: ControlPlane, path: string, query = ''): Promise<ApiWatch> {
  const ca = readFileSync(cp.caFile);
  const events: ApiEvent[] = [];
  let waiters: (() => void)[] = [];
  let stopped = false;
  let current: ClientRequest | undefined;
  const wake = (): void => {
    const woken = waiters;
    waiters = [];
    for (const resume of woken) resume();
  };

  const list = async (): Promise<string> => {
    const res = await cp.request('GET', `${path}?${query}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body}`);
    return (res.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  };

  let resourceVersion = await list();
  let gone = false;
  const reconnect = (delayMs: number): void => {
    if (stopped) return;
    setTimeout(() => {
      if (!gone) {
        connect();
        return;
      }
      void list()
        .then((version) => {
          resourceVersion = version;
          gone = false;
        })
        .catch(() => undefined)
        .finally(connect);
    }, delayMs);
  };
  const connect = (): void => {
    if (stopped) return;
    const url = new URL(`${path}?watch=1&resourceVersion=${resourceVersion}&${query}`, cp.server);
    current = request(url, { ca, headers: { authorization: `Bearer ${cp.token}` } }, (res) => {
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const atMs = wallMs();
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') continue;
          const event = JSON.parse(line) as { type: string; object: WatchedObject };
          if (event.type === 'ERROR') {
            gone = true; // 410 Gone: the reconnect relists
            continue;
          }
          resourceVersion = event.object.metadata.resourceVersion;
          events.push({ type: event.type, object: event.object, atMs });
        }
        wake();
      });
      res.on('end', () => reconnect(10));
      res.on('error', () => undefined);
    });
    current.on('error', () => reconnect(200));
    current.end();
  };
  connect();

  return {
    events,
    async next(match, from, timeoutMs = 30_000) {
      const deadline = performance.now() + timeoutMs;
      for (let seen = from; ;) {
        for (; seen < events.length; seen++) if (match(events[seen]!)) return events[seen]!;
        const left = deadline - performance.now();
        if (left <= 0 || stopped)
          throw new Error(`no matching event on ${path} in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    stop() {
      stopped = true;
      current?.destroy();
      wake();
    },
  };
}
