// Stage 5 (launch): one cgroup per jail — pick the hierarchy, sweep what killed runs left,
// create `<our cgroup>/<prefix>.<our pid>.<n>` with the jail's limits; attach a process to
// it, read back what the kernel counted, remove it.
import type { CgroupVersion, LimitsSpec } from "../../config/limits-model.ts";
import { findCgroupPlaces, type CgroupPlaces } from "./detect.ts";
import { CgroupError, cgroupFailure } from "./errors.ts";
import { ERRNO, errnoOf, type CgroupEnv } from "./fs.ts";
import { limitWrites, neededControllers, type CgroupUsage } from "./limits.ts";
import { removeCgroup, sweepStale } from "./remove.ts";
import { readV1Usage, V1_ACCOUNTING } from "./v1.ts";
import { availableControllers, enableControllers, readV2Usage } from "./v2.ts";

export interface JailCgroup {
  readonly version: 1 | 2;
  /** The jail's directories: one in v2, one per controller hierarchy in v1. */
  readonly dirs: readonly string[];
  /** Moves `pid` (all its threads) in; call while the child waits, before it execs. */
  attach(pid: number): void;
  usage(): CgroupUsage;
  /** Kills what still runs in the cgroup and removes it; later calls do nothing. */
  remove(): void;
}

/** Names taken by cgroups of an earlier nsjail that had our pid are skipped, this many at most. */
const MAX_NAME_TRIES = 100;

function chooseVersion(env: CgroupEnv, places: CgroupPlaces, wanted: CgroupVersion, needed: readonly string[]): 1 | 2 {
  if (wanted !== "v1" && places.v2 !== null) {
    const available = availableControllers(env.fs, places.v2);
    if (wanted === "v2" || needed.every((c) => available.includes(c))) return 2;
  }
  if (wanted === "v2") throw new CgroupError("cgroup v2: limits.cgroup_version is v2, but no cgroup2 hierarchy is mounted (see /proc/self/mountinfo)");
  const missing = needed.filter((c) => !places.v1.has(c));
  if (missing.length === 0) return 1;
  // enableControllers names what v2 lacks and how to delegate it.
  if (wanted === "auto" && places.v2 !== null) return 2;
  throw new CgroupError(`cgroup v1: no hierarchy with the ${missing.join(", ")} controller is mounted (see /proc/self/mountinfo)`);
}

/**
 * One per nsjail process: it remembers where our cgroup was before we moved into a leaf,
 * numbers the jails, and sweeps each parent directory for stale cgroups once.
 */
export class CgroupManager {
  private places: CgroupPlaces | null = null;
  private next = 0;
  private readonly swept = new Set<string>();

  constructor(
    private readonly env: CgroupEnv,
    private readonly prefix = "nsjail",
  ) {}

  create(limits: LimitsSpec): JailCgroup {
    this.places ??= findCgroupPlaces(this.env.fs);
    const needed = neededControllers(limits);
    const version = chooseVersion(this.env, this.places, limits.cgroupVersion, needed);
    if (version === 2) {
      const base = this.places.v2!;
      this.sweepOnce(2, base);
      // memory.events and memory.peak exist only where the memory controller is enabled.
      const accounting = availableControllers(this.env.fs, base).includes("memory") ? ["memory"] : [];
      enableControllers(this.env, base, [...new Set([...needed, ...accounting])]);
      const [dir] = this.makeDirs(2, [base]);
      return this.jail(2, limits, new Map(needed.map((c) => [c, dir!])), [dir!], () => readV2Usage(this.env.fs, dir!));
    }
    const places = this.places.v1;
    const controllers = [...new Set([...needed, ...V1_ACCOUNTING.filter((c) => places.has(c))])];
    const bases = [...new Set(controllers.map((c) => places.get(c)!))];
    for (const base of bases) this.sweepOnce(1, base);
    const dirs = this.makeDirs(1, bases);
    const byController = new Map(controllers.map((c) => [c, dirs[bases.indexOf(places.get(c)!)]!]));
    return this.jail(1, limits, byController, dirs, () => readV1Usage(this.env.fs, byController));
  }

  private sweepOnce(version: 1 | 2, base: string): void {
    if (this.swept.has(base)) return;
    this.swept.add(base);
    sweepStale(this.env, version, base, this.prefix);
  }

  /** The same new name under every base; all or none are created. */
  private makeDirs(version: 1 | 2, bases: readonly string[]): string[] {
    for (let tries = 0; tries < MAX_NAME_TRIES; tries++) {
      const name = `${this.prefix}.${this.env.pid}.${this.next++}`;
      const made: string[] = [];
      try {
        for (const base of bases) {
          this.env.fs.mkdir(`${base}/${name}`);
          made.push(`${base}/${name}`);
        }
        return made;
      } catch (err) {
        for (const dir of made) this.env.fs.rmdir(dir);
        if (errnoOf(err) !== ERRNO.EEXIST) throw cgroupFailure(version, `mkdir ${bases[made.length]}/${name}`, err, this.env.uid);
      }
    }
    throw new CgroupError(`cgroup v${version}: no free name ${this.prefix}.${this.env.pid}.N under ${bases[0]}`);
  }

  private jail(
    version: 1 | 2,
    limits: LimitsSpec,
    dirOf: ReadonlyMap<string, string>,
    dirs: readonly string[],
    usage: () => CgroupUsage,
  ): JailCgroup {
    let removed = false;
    // Every hierarchy gets its try; the first failure is reported.
    const remove = () => {
      if (removed) return;
      removed = true;
      let failure: unknown = null;
      for (const dir of dirs) {
        try {
          removeCgroup(this.env, version, dir);
        } catch (err) {
          failure ??= err;
        }
      }
      if (failure !== null) throw failure;
    };
    try {
      for (const w of limitWrites(limits, version)) {
        const path = `${dirOf.get(w.controller)}/${w.file}`;
        try {
          this.env.fs.write(path, w.text);
        } catch (err) {
          throw cgroupFailure(version, `${w.key}: write "${w.text}" to ${path}`, err, this.env.uid);
        }
      }
    } catch (err) {
      remove();
      throw err;
    }
    const attach = (pid: number) => {
      for (const dir of dirs) {
        try {
          this.env.fs.write(`${dir}/cgroup.procs`, String(pid));
        } catch (err) {
          throw cgroupFailure(version, `attach pid ${pid} to ${dir}`, err, this.env.uid);
        }
      }
    };
    return { version, dirs, attach, usage, remove };
  }
}
