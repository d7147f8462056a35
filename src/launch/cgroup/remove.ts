// Stage 5 (launch): the end of a jail's cgroup — kill whatever still runs in it (children the
// jail created included), then rmdir it — and the sweep of cgroups a killed nsjail left behind.
import { SIG } from "../../sys/constants.ts";
import { CgroupError, cgroupFailure } from "./errors.ts";
import { ERRNO, errnoOf, readOr, words, type CgroupEnv } from "./fs.ts";

/** Kill rounds before giving up; with the sleeps below that is about 2 s. */
const MAX_ROUNDS = 200;
const MAX_SLEEP_MS = 10;

/** `dir` and every cgroup below it, parents before children. Iterative: a jail may nest deep. */
function subtree(env: CgroupEnv, dir: string): string[] {
  const out: string[] = [];
  const todo = [dir];
  while (todo.length > 0) {
    const d = todo.pop()!;
    let children: string[];
    try {
      children = env.fs.list(d);
    } catch (err) {
      if (errnoOf(err) === ERRNO.ENOENT) continue;
      throw err;
    }
    out.push(d);
    for (const c of children) todo.push(`${d}/${c}`);
  }
  return out;
}

function processesIn(env: CgroupEnv, dirs: readonly string[]): number[] {
  const pids = new Set<number>();
  for (const d of dirs) for (const w of words(readOr(env.fs, `${d}/cgroup.procs`, ""))) pids.add(Number(w));
  pids.delete(env.pid); // never ourselves, even if someone moved us in
  return [...pids];
}

/** Removes `dirs` children first; false while one is still busy with exiting processes. */
function rmdirAll(env: CgroupEnv, version: 1 | 2, dirs: readonly string[]): boolean {
  for (let i = dirs.length - 1; i >= 0; i--) {
    try {
      env.fs.rmdir(dirs[i]!);
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === ERRNO.EBUSY) return false;
      if (errno !== ERRNO.ENOENT) throw cgroupFailure(version, `rmdir ${dirs[i]}`, err, env.uid);
    }
  }
  return true;
}

/**
 * SIGKILLs every process in the cgroup `top` and below, round after round (a fork bomb keeps
 * making new ones until the last is gone), then removes the directories. cgroup v2's
 * cgroup.kill does it in one write, new forks included, where the kernel has it.
 */
export function removeCgroup(env: CgroupEnv, version: 1 | 2, top: string): void {
  for (let round = 0; ; round++) {
    const dirs = subtree(env, top);
    if (dirs.length === 0) return;
    const pids = processesIn(env, dirs);
    if (pids.length === 0 && rmdirAll(env, version, dirs)) return;
    if (round === MAX_ROUNDS) {
      throw new CgroupError(`cgroup v${version}: cannot empty ${top}: ${pids.length} processes remain (${pids.slice(0, 5).join(", ")}${pids.length > 5 ? ", ..." : ""})`);
    }
    if (version === 2 && env.fs.exists(`${top}/cgroup.kill`)) env.fs.write(`${top}/cgroup.kill`, "1");
    else for (const pid of pids) env.kill(pid, SIG.KILL);
    env.sleep(Math.min(round + 1, MAX_SLEEP_MS));
  }
}

/** `<prefix>.<owner pid>.<n>` → the owner pid, or null for any other name. */
function ownerOf(prefix: string, name: string): number | null {
  if (!name.startsWith(`${prefix}.`)) return null;
  const m = /^(\d{1,10})\.\d{1,10}$/.exec(name.slice(prefix.length + 1));
  return m ? Number(m[1]) : null;
}

/**
 * Removes the jail cgroups under `base` whose nsjail is dead (it was SIGKILLed or crashed
 * before its cleanup). A reused pid keeps its cgroup until a later sweep: harmless, and
 * never a live jail's. Failures are warnings: they must not stop a new jail.
 */
export function sweepStale(env: CgroupEnv, version: 1 | 2, base: string, prefix: string): void {
  let names: string[];
  try {
    names = env.fs.list(base);
  } catch (err) {
    if (errnoOf(err) === ERRNO.ENOENT) return;
    throw cgroupFailure(version, `list ${base}`, err, env.uid);
  }
  for (const name of names) {
    const owner = ownerOf(prefix, name);
    if (owner === null || owner === env.pid || env.isAlive(owner)) continue;
    try {
      removeCgroup(env, version, `${base}/${name}`);
      env.warn(`removed the cgroup ${base}/${name} left behind by nsjail pid ${owner}`);
    } catch (err) {
      env.warn(`stale cgroup ${base}/${name} (nsjail pid ${owner}) not removed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
