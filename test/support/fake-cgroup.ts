// A fake cgroup filesystem with the kernel rules the manager depends on: v2's
// no-internal-processes rule and subtree_control, controllers handed down, EBUSY rmdir of
// a populated cgroup, v1 hierarchies per controller, and processes that die on SIGKILL.
import { SyscallError } from "../../src/errors.ts";
import type { CgroupEnv, CgroupFs } from "../../src/launch/cgroup/fs.ts";

const E = { ENOENT: 2, EACCES: 13, EBUSY: 16, EEXIST: 17, EINVAL: 22 };

interface Dir {
  readonly version: 1 | 2;
  readonly root: boolean;
  /** v2: controllers the parent enabled for us; v1: the hierarchy's controllers. */
  readonly controllers: readonly string[];
  readonly subtree: Set<string>;
  readonly procs: Set<number>;
  readonly files: Map<string, string>;
  readonly hierarchy: string;
}

const V2_FILES: Record<string, Record<string, string>> = {
  memory: { "memory.max": "max", "memory.swap.max": "max", "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", "memory.peak": "0" },
  pids: { "pids.max": "max" },
  cpu: { "cpu.max": "max 100000" },
};
const V1_FILES: Record<string, Record<string, string>> = {
  memory: { "memory.limit_in_bytes": "9223372036854771712", "memory.memsw.limit_in_bytes": "9223372036854771712", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n", "memory.max_usage_in_bytes": "0" },
  pids: { "pids.max": "max" },
  cpu: { "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1" },
  cpuacct: { "cpuacct.usage": "0" },
};

const fail = (call: string, errno: number, path: string): never => {
  throw new SyscallError(call, errno, path);
};
const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/"));
const baseOf = (p: string) => p.slice(p.lastIndexOf("/") + 1);

export class FakeCgroupFs implements CgroupFs {
  readonly dirs = new Map<string, Dir>();
  readonly plain = new Map<string, string>();
  /** Mutations in order: "mkdir P", "rmdir P", "write P TEXT". */
  readonly log: string[] = [];
  /** Directories whose contents the caller may not change (EACCES): not delegated. */
  readonly denied = new Set<string>();
  hasKillFile = true;
  /** Interface files this kernel lacks (e.g. memory.swap.max without swap accounting). */
  readonly absent = new Set<string>();

  mount(point: string, version: 1 | 2, controllers: readonly string[]): void {
    this.addDir(point, { version, root: true, controllers, hierarchy: point });
  }

  /** A cgroup the test sets up, as the host had it before nsjail ran. */
  cgroup(path: string, procs: number[] = [], subtree: string[] = []): void {
    const parent = this.dirs.get(parentOf(path))!;
    this.addDir(path, { version: parent.version, root: false, controllers: parent.version === 2 ? [...parent.subtree] : parent.controllers, hierarchy: parent.hierarchy });
    for (const pid of procs) this.dirs.get(path)!.procs.add(pid);
    for (const c of subtree) this.dirs.get(path)!.subtree.add(c);
  }

  private addDir(path: string, d: Omit<Dir, "subtree" | "procs" | "files">): void {
    const files = new Map<string, string>();
    const table = d.version === 2 ? V2_FILES : V1_FILES;
    for (const c of d.controllers) for (const [f, v] of Object.entries(table[c] ?? {})) if (!this.absent.has(f)) files.set(f, v);
    if (d.version === 2) files.set("cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
    this.dirs.set(path, { ...d, subtree: new Set(), procs: new Set(), files });
  }

  pidsIn(path: string): number[] {
    return [...(this.dirs.get(path)?.procs ?? [])];
  }

  allPids(): Set<number> {
    const all = new Set<number>();
    for (const d of this.dirs.values()) for (const p of d.procs) all.add(p);
    return all;
  }

  /** A process dies: it leaves every cgroup. */
  killPid(pid: number): void {
    for (const d of this.dirs.values()) d.procs.delete(pid);
  }

  read(path: string): string {
    const dir = this.dirs.get(parentOf(path));
    const name = baseOf(path);
    if (dir) {
      if (name === "cgroup.procs") return [...dir.procs].map((p) => `${p}\n`).join("");
      if (name === "cgroup.controllers" && dir.version === 2) return `${dir.controllers.join(" ")}\n`;
      if (name === "cgroup.subtree_control" && dir.version === 2) return `${[...dir.subtree].join(" ")}\n`;
      const text = dir.files.get(name);
      if (text !== undefined) return text;
    }
    return this.plain.get(path) ?? fail("read", E.ENOENT, path);
  }

  write(path: string, text: string): void {
    const dir = this.dirs.get(parentOf(path)) ?? fail("write", E.ENOENT, path);
    const name = baseOf(path);
    if (this.denied.has(parentOf(path))) fail("write", E.EACCES, path);
    if (name === "cgroup.procs") this.move(parentOf(path), dir, Number(text));
    else if (name === "cgroup.subtree_control" && dir.version === 2) this.enable(path, dir, text);
    else if (name === "cgroup.kill" && dir.version === 2 && this.hasKillFile) {
      for (const [p, d] of this.dirs) if (p === parentOf(path) || p.startsWith(`${parentOf(path)}/`)) for (const pid of d.procs) this.killPid(pid);
    } else if (dir.files.has(name)) dir.files.set(name, text);
    else fail("write", E.ENOENT, path);
    this.log.push(`write ${path} ${text}`);
  }

  private move(path: string, dir: Dir, pid: number): void {
    // No internal processes: a v2 cgroup that gives controllers to children holds none.
    if (dir.version === 2 && !dir.root && dir.subtree.size > 0) fail("write", E.EBUSY, `${path}/cgroup.procs`);
    for (const d of this.dirs.values()) if (d.hierarchy === dir.hierarchy) d.procs.delete(pid);
    dir.procs.add(pid);
  }

  private enable(path: string, dir: Dir, text: string): void {
    for (const word of text.split(" ")) {
      const c = word.slice(1);
      if (!dir.controllers.includes(c)) fail("write", E.ENOENT, path);
      if (word.startsWith("+") && !dir.root && dir.procs.size > 0) fail("write", E.EBUSY, path);
      if (word.startsWith("+")) dir.subtree.add(c);
      else dir.subtree.delete(c);
    }
  }

  mkdir(path: string): void {
    const parent = this.dirs.get(parentOf(path)) ?? fail("mkdir", E.ENOENT, path);
    if (this.dirs.has(path)) fail("mkdir", E.EEXIST, path);
    if (this.denied.has(parentOf(path))) fail("mkdir", E.EACCES, path);
    this.log.push(`mkdir ${path}`);
    const controllers = parent.version === 2 ? [...parent.subtree] : parent.controllers;
    this.addDir(path, { version: parent.version, root: false, controllers, hierarchy: parent.hierarchy });
  }

  rmdir(path: string): void {
    const dir = this.dirs.get(path) ?? fail("rmdir", E.ENOENT, path);
    if (dir.procs.size > 0 || this.list(path).length > 0) fail("rmdir", E.EBUSY, path);
    this.log.push(`rmdir ${path}`);
    this.dirs.delete(path);
  }

  list(path: string): string[] {
    if (!this.dirs.has(path)) fail("readdir", E.ENOENT, path);
    return [...this.dirs.keys()].filter((p) => parentOf(p) === path).map(baseOf);
  }

  exists(path: string): boolean {
    if (this.dirs.has(path) || this.plain.has(path)) return true;
    const dir = this.dirs.get(parentOf(path));
    const name = baseOf(path);
    if (!dir) return false;
    if (["cgroup.procs", "cgroup.controllers", "cgroup.subtree_control"].includes(name)) return true;
    return (name === "cgroup.kill" && dir.version === 2 && this.hasKillFile) || dir.files.has(name);
  }
}

export interface FakeEnv extends CgroupEnv {
  readonly fs: FakeCgroupFs;
  readonly kills: [number, number][];
  readonly warnings: string[];
  /** Pids alive outside any cgroup (e.g. another nsjail). */
  readonly alive: Set<number>;
  /** Called for each SIGKILL before the process dies: a fork bomb adds its next child here. */
  onKill: (pid: number) => void;
  sleeps: number;
}

export function fakeEnv(fs: FakeCgroupFs, pid: number, uid = 0): FakeEnv {
  const env: FakeEnv = {
    fs,
    pid,
    uid,
    kills: [],
    warnings: [],
    alive: new Set([pid]),
    onKill: () => {},
    sleeps: 0,
    kill(target, signal) {
      env.kills.push([target, signal]);
      env.onKill(target);
      if (signal === 9) fs.killPid(target);
    },
    isAlive: (p) => env.alive.has(p) || fs.allPids().has(p),
    sleep: () => void env.sleeps++,
    warn: (m) => void env.warnings.push(m),
  };
  return env;
}

/** /proc/self/cgroup and /proc/self/mountinfo for the given hierarchies. */
export function procFiles(fs: FakeCgroupFs, cgroupLines: string[], mountLines: string[]): void {
  fs.plain.set("/proc/self/cgroup", `${cgroupLines.join("\n")}\n`);
  fs.plain.set("/proc/self/mountinfo", `${mountLines.map((l, i) => `${30 + i} 23 0:${40 + i} ${l}`).join("\n")}\n`);
}
