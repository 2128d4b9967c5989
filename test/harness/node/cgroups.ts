// The test node's own cgroup subtree. cgroups have no namespace on cgroup v1, so the kubelet's
// pods would otherwise land beside the host's: here every hierarchy gets a folder named after the
// test process (`switchyard-node-<pid>-<random>`), the kubelet's --cgroup-root points at it, and
// teardown removes it, deepest first. A run that was killed before its teardown leaves a folder
// whose PID is dead: the next run removes it.
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isRunning } from '../processes.ts';

const prefix = 'switchyard-node-';

/** Mount points of the cgroup hierarchies (v1 controllers, and cgroup2 in hybrid mode). */
export function cgroupHierarchies(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => {
      const type = fields[fields.indexOf('-') + 1];
      return type === 'cgroup' || type === 'cgroup2';
    })
    .map((fields) => fields[4] ?? '')
    .filter((mount) => mount.startsWith('/sys/fs/cgroup'));
}

function subtree(path: string): string[] {
  const dirs: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) dirs.push(...subtree(join(path, entry.name)));
  }
  dirs.push(path);
  return dirs;
}

function killTasks(path: string): void {
  for (const line of readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n')) {
    const pid = Number(line);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

async function removeTree(path: string): Promise<void> {
  if (!existsSync(path)) return;
  for (let attempt = 0; ; attempt++) {
    try {
      // Children first: a cgroup folder can only be removed once it has none and no tasks.
      for (const dir of subtree(path)) {
        killTasks(dir);
        rmdirSync(dir);
      }
      return;
    } catch (error) {
      // Tasks take a moment to leave after SIGKILL.
      if (attempt >= 50) throw error;
      await delay(100);
    }
  }
}

/** Removes the cgroup folders of earlier test processes that are no longer running. */
export async function removeLeftoverCgroups(): Promise<void> {
  for (const hierarchy of cgroupHierarchies()) {
    for (const name of readdirSync(hierarchy)) {
      const pid = Number(/^switchyard-node-(\d+)-/.exec(name)?.[1]);
      if (pid > 0 && !isRunning(pid)) await removeTree(join(hierarchy, name));
    }
  }
}

/** A cgroup subtree present in every hierarchy. */
export interface CgroupRoot {
  /** The path below each hierarchy's root, e.g. `/switchyard-node-123-ab12cd`: the kubelet's --cgroup-root. */
  readonly path: string;
  /** Kills what is left in it and removes it from every hierarchy. */
  remove(): Promise<void>;
}

/** Creates an empty cgroup subtree for one test node in every hierarchy. */
export function createCgroupRoot(): CgroupRoot {
  const name = `${prefix}${process.pid}-${randomBytes(3).toString('hex')}`;
  const hierarchies = cgroupHierarchies();
  for (const hierarchy of hierarchies) {
    const dir = join(hierarchy, name);
    mkdirSync(dir);
    // A new cpuset has no CPUs and no memory nodes until given some: take the parent's.
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const parent = join(hierarchy, file);
      if (existsSync(parent)) writeFileSync(join(dir, file), readFileSync(parent));
    }
  }
  return {
    path: `/${name}`,
    async remove() {
      for (const hierarchy of hierarchies) await removeTree(join(hierarchy, name));
    },
  };
}
