// Stage 5 (launch): where our own cgroup is — in the cgroup2 hierarchy and in each v1
// controller hierarchy — from /proc/self/cgroup and the cgroup mounts in /proc/self/mountinfo.
import type { CgroupFs } from "./fs.ts";

export interface CgroupPlaces {
  /** Our cgroup's directory in the cgroup2 hierarchy, or null when none is mounted. */
  readonly v2: string | null;
  /** v1 controller name → our cgroup's directory in the hierarchy that holds it. */
  readonly v1: ReadonlyMap<string, string>;
}

interface Mount {
  readonly root: string;
  readonly point: string;
  readonly fstype: string;
  readonly options: readonly string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

function cgroupMounts(mountinfo: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of mountinfo.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(" ");
    const [fstype, , superOptions] = line.slice(sep + 3).split(" ");
    if ((fstype !== "cgroup" && fstype !== "cgroup2") || left.length < 5) continue;
    mounts.push({ root: unescape(left[3]!), point: unescape(left[4]!), fstype, options: (superOptions ?? "").split(",") });
  }
  return mounts;
}

/** `path` (as /proc/self/cgroup shows it) inside a mount of `root` at `point`, or null
 * when our cgroup lies outside what this mount shows. */
function placeIn(mount: Mount, path: string): string | null {
  const root = mount.root === "/" ? "" : mount.root;
  if (path !== root && !path.startsWith(`${root}/`)) return null;
  const rest = path.slice(root.length);
  return rest === "/" || rest === "" ? mount.point : `${mount.point}${rest}`;
}

export function parseCgroupPlaces(procSelfCgroup: string, mountinfo: string): CgroupPlaces {
  const mounts = cgroupMounts(mountinfo);
  let v2: string | null = null;
  const v1 = new Map<string, string>();
  for (const line of procSelfCgroup.split("\n")) {
    // hierarchy-ID:controller-list:cgroup-path; the path may itself contain ':'.
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    const [id, controllers, path] = [line.slice(0, first), line.slice(first + 1, second), line.slice(second + 1)];
    if (id === "0" && controllers === "") {
      for (const m of mounts) if (v2 === null && m.fstype === "cgroup2") v2 = placeIn(m, path);
      continue;
    }
    for (const controller of controllers.split(",")) {
      if (controller === "" || controller.startsWith("name=")) continue;
      for (const m of mounts) {
        const dir = m.fstype === "cgroup" && m.options.includes(controller) ? placeIn(m, path) : null;
        if (dir !== null && !v1.has(controller)) v1.set(controller, dir);
      }
    }
  }
  return { v2, v1 };
}

export function findCgroupPlaces(fs: CgroupFs): CgroupPlaces {
  return parseCgroupPlaces(fs.read("/proc/self/cgroup"), fs.read("/proc/self/mountinfo"));
}
