// Summaries of V8 CPU profiles (`node --cpu-prof`): where a gateway spends its time, by function
// and by file, so a throughput figure comes with the reason behind it.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time of one function or one file, as a share of all samples. */
export interface ProfileEntry {
  name: string;
  share: number;
}

/** The heaviest functions and files of a profile by self time. */
export interface ProfileSummary {
  functions: ProfileEntry[];
  files: ProfileEntry[];
  /** Self time by kind: a package, a folder of ours, Node internals, writes, GC, idle. */
  categories: ProfileEntry[];
  /** Share of the window in which the process was idle (waiting in epoll). */
  idle: number;
  /** Length of the window summarised, in seconds. */
  windowS: number;
}

/**
 * Reads a `.cpuprofile` file and ranks functions and files by self time, over the last
 * `lastSeconds` of the profile (the load run, leaving out startup) or all of it.
 */
export function summarizeProfile(path: string, lastSeconds = Infinity, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const from = profile.endTime - lastSeconds * 1e6;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
    at += delta;
    if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const total = [...selfUs.values()].reduce((sum, x) => sum + x, 0) || 1;
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  const categories = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    if (frame.functionName === '(idle)') idle += us;
    const file = shortFile(frame.url) || frame.functionName;
    const fn = `${frame.functionName || '(anonymous)'} ${file}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
    const kind = category(frame.functionName, frame.url);
    categories.set(kind, (categories.get(kind) ?? 0) + us);
  }
  const rank = (m: Map<string, number>): ProfileEntry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, share: us / total }));
  return {
    functions: rank(functions),
    files: rank(files),
    categories: rank(categories),
    idle: idle / total,
    windowS: total / 1e6,
  };
}

/** What kind of work a frame is: the package or folder it belongs to, or a native activity. */
function category(functionName: string, url: string): string {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (url === '') {
    return /^write/i.test(functionName)
      ? 'native writes (sockets, files: mostly kernel time)'
      : 'native (V8 builtins, program)';
  }
  if (url.startsWith('wasm://')) return 'wasm (llhttp parser in undici)';
  if (url.startsWith('node:')) return 'Node internals (http, net, streams, events)';
  const file = shortFile(url);
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg?.[1] !== undefined) return pkg[1];
  const ours = /^(proxy|core|cli|bench|test)\/([^/]+)\//.exec(file);
  return ours === null ? file : `${ours[1]}/${ours[2]}/`;
}

/** `node_modules/prom-client/lib/histogram.js` or `proxy/http/chat-handler.ts`, not a file URL. */
function shortFile(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules);
  const root = /\/(bench|cli|core|proxy|operator|test|bin)\//.exec(path);
  return root === null ? path : path.slice(root.index + 1);
}
