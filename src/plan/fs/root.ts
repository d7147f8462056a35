// Stage 2 (plan): the jail's new root — a rootfs bound onto itself, an empty tmpfs, or the seed's
// manual pivot_root NEW OLD — with the kept host mounts, the implied /proc and /dev, the mounts
// in order, and the pivot into it. The order is the one the kernel allows, root or rootless:
// kept mounts are cloned before the rootfs covers them; proc is mounted while the old root
// (a fully visible proc) is still there; read-only comes last; the old root goes at the end.
import { DEFAULT_FLAGS } from "../../config/fs/mount.ts";
import type { FsConfig, MountSpec } from "../../config/fs/model.ts";
import type { HostFacts } from "../../config/host.ts";
import type { JailConfig } from "../../config/model.ts";
import { MS } from "../../sys/constants.ts";
import { AT_EMPTY_PATH, AT_RECURSIVE, MNT, MOUNT_ATTR, MOVE_MOUNT, O, OPEN_TREE } from "../../sys/fs-constants.ts";
import { fd, op, type Op, type OpOrigin } from "../types.ts";
import { planMount } from "./mounts.ts";
import { newMount } from "./new-mount.ts";
import { ancestorsOf, attach, how, NewRoot, setAttrs, type MountAt } from "./place.ts";

type Origin = (note: string) => OpOrigin;
const at = (path: string): Origin => (note) => ({ path, note });

/** An empty read-only directory over a host mount the jail must not see (rootless, the kernel
 * will not uncover what lies beneath it). */
const COVER = "size=4k,nr_inodes=1,mode=000";

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** The host directory that becomes the root, every symlink resolved (as in mountinfo). */
function rootDir(fs: FsConfig, host: HostFacts): string | null {
  const dir = fs.rootfs ?? fs.pivotRoot?.new ?? null;
  return dir === null ? null : (host.paths.realpath(dir) ?? dir);
}

/**
 * How the rootfs is bound. In a user namespace every host mount is locked, and only a
 * recursive bind of a tree holding them is allowed: it carries them all, so the kept ones are
 * already in place and the others are covered. Otherwise the bind carries none.
 */
interface RootfsBind {
  readonly dir: string;
  readonly recursive: boolean;
  /** Host mounts the bind brings along that the jail must not see: top-most only. */
  readonly covers: readonly string[];
  /** Keep entries that need a clone placed (not already carried in place). */
  readonly placed: readonly { readonly src: string; readonly dst: string; readonly index: number }[];
}

function rootfsBind(config: JailConfig, host: HostFacts, dir: string): RootfsBind {
  const fs = config.fs;
  const below = new Set(config.unshare.has("user") ? host.paths.mountPoints().filter((p) => p.startsWith(`${dir}/`)) : []);
  const real = (p: string) => host.paths.realpath(p) ?? p;
  const keeps = fs.keepMounts.map((k, index) => ({ ...k, index, real: real(k.src) }));
  const inPlace = (k: (typeof keeps)[number]) => fs.rootfs !== null && k.real === `${dir}${k.dst}`;
  const placed = keeps.filter((k) => !(inPlace(k) && below.has(k.real)));
  // A host mount stays uncovered when it is kept, lies below a kept one, or holds one. Only
  // sources below the rootfs count: a kept path that holds the rootfs goes elsewhere.
  const inside = keeps.filter((k) => k.real.startsWith(`${dir}/`));
  const kept = new Set(inside.map((k) => k.real));
  const holdsKept = new Set(inside.flatMap((k) => ancestorsOf(k.real)));
  const covered = new Set<string>();
  const covers: string[] = [];
  for (const m of [...below].sort((a, b) => a.length - b.length)) {
    const above = ancestorsOf(m);
    if (above.some((a) => covered.has(a) || kept.has(a)) || kept.has(m) || holdsKept.has(m)) continue;
    covered.add(m);
    covers.push(m);
  }
  return { dir, recursive: below.size > 0, covers, placed };
}

/** The rootfs bound onto itself; kept mounts below it are cloned from its fd, taken before
 * the bind hides them. */
function bindRootfs(config: JailConfig, b: RootfsBind): Op[] {
  const o = at("rootfs");
  const ops: Op[] = [];
  if (b.placed.some((k) => under(k.src, config.fs.rootfs!))) {
    ops.push(op("openat2", [fd("under"), fd("at_cwd"), b.dir, how(O.PATH | O.CLOEXEC, 0, 0)], o(`open ${b.dir} before it is bound`)));
  }
  ops.push(op("mount", [b.dir, b.dir, null, MS.BIND | (b.recursive ? MS.REC : 0), null], o(`bind ${b.dir} onto itself`)));
  for (const c of b.covers) {
    ops.push(op("mount", ["none", c, "tmpfs", MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, COVER], o(`hide the host mount ${c}`)));
  }
  ops.push(op("openat2", [fd("new_root"), fd("at_cwd"), b.dir, how(O.PATH | O.CLOEXEC, 0, 0)], o(`open the new root ${b.dir}`)));
  return ops;
}

/** An empty tmpfs stacked on the old root: the root is assembled from the mounts alone. */
function tmpfsRoot(): Op[] {
  const o = at("mount");
  return [
    ...newMount("tmpfs", "tmpfs", "mode=0755", MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV, "new_root", o),
    op("move_mount", [fd("new_root"), "", fd("at_cwd"), "/", MOVE_MOUNT.F_EMPTY_PATH], o("attach the empty root")),
  ];
}

/** pivot_root's NEW must be a mount point: bound onto itself unless a post_jail hook mounts
 * there or it is one on the host. Recursive: rootless, a tree holding host mounts needs it. */
function bindNew(config: JailConfig, host: HostFacts, dir: string): Op[] {
  const pivot = config.fs.pivotRoot!;
  const hooked = config.fs.hooks.post_jail.some((h) => h.action === "mount" && (h.dst === pivot.new || h.dst === dir));
  if (hooked || host.paths.mountPoints().includes(dir)) return [];
  return [op("mount", [dir, dir, null, MS.BIND | MS.REC, null], at("pivot_root")(`bind ${dir} onto itself: pivot_root needs a mount point`))];
}

function keepMounts(config: JailConfig, keeps: RootfsBind["placed"], place: MountAt): Op[] {
  const rootfs = config.fs.rootfs;
  const fromUnder = (src: string) => rootfs !== null && under(src, rootfs) && src !== rootfs;
  const ops = keeps.flatMap((k) => {
    const o = at(`keep_mount[${k.index}]`);
    const [dir, path] = fromUnder(k.src) ? [fd("under"), k.src.slice(rootfs!.length + 1)] : [fd("at_cwd"), k.src];
    const flags = OPEN_TREE.CLONE | OPEN_TREE.CLOEXEC | AT_RECURSIVE;
    const type = place.host.paths.kind(k.src) === "file" ? "file" : "dir";
    return [
      op("open_tree", [fd("mnt"), dir, path, flags], o(`clone the host mount ${k.src}`)),
      ...place.root.target(k.dst, type, false, o),
      ...attach(k.src, k.dst, o),
    ];
  });
  if (keeps.some((k) => fromUnder(k.src))) ops.push(op("close", [fd("under")], at("keep_mount")("close the rootfs as it was before its bind")));
  return ops;
}

/** What the namespace recipe adds with a rootfs: a fresh /proc (with a pid namespace) and a
 * minimal /dev, unless the mounts put something there themselves. */
function impliedMounts(config: JailConfig): [MountSpec, string][] {
  const fs = config.fs;
  if (fs.rootfs === null) return [];
  const taken = (dst: string) => fs.mounts.some((m) => m.dst === dst);
  const base = { optional: false, create: false };
  const out: [MountSpec, string][] = [];
  if (config.unshare.has("pid") && !taken("/proc")) {
    out.push([{ kind: "proc", dst: "/proc", flags: DEFAULT_FLAGS.proc, options: "", ...base }, "rootfs"]);
  }
  if (!taken("/dev")) out.push([{ kind: "dev", dst: "/dev", flags: DEFAULT_FLAGS.dev, ...base }, "rootfs"]);
  return out;
}

/** The "mounts" phase for a jail with a new root. */
export function planRootMounts(config: JailConfig, host: HostFacts): Op[] {
  const fs = config.fs;
  const dir = rootDir(fs, host);
  const bind = fs.rootfs !== null ? rootfsBind(config, host, dir!) : null;
  const keeps = bind?.placed ?? fs.keepMounts.map((k, index) => ({ ...k, index }));
  const ops = fs.pivotRoot !== null ? bindNew(config, host, dir!) : bind !== null ? bindRootfs(config, bind) : tmpfsRoot();
  const manualEmpty = fs.pivotRoot !== null && fs.mounts.length === 0 && fs.keepMounts.length === 0;
  if (manualEmpty) return ops;
  if (fs.pivotRoot !== null) ops.push(op("openat2", [fd("new_root"), fd("at_cwd"), dir!, how(O.PATH | O.CLOEXEC, 0, 0)], at("pivot_root")(`open ${dir}`)));
  const root = new NewRoot(dir === null, config.unshare.has("user"));
  const place = { root, host, unshare: config.unshare, o: at("keep_mount") };
  ops.push(...keepMounts(config, keeps, place));
  const mounts: [MountSpec, string][] = [...impliedMounts(config), ...fs.mounts.map((m, i): [MountSpec, string] => [m, fs.mountKeys[i]!])];
  for (const [m, key] of mounts) ops.push(...planMount(m, { ...place, o: at(key) }));
  ops.push(...root.later);
  if (fs.pivotRoot !== null) ops.push(op("close", [fd("new_root")], at("pivot_root")(`close ${dir}`)));
  else ops.push(op("mount_setattr", [fd("new_root"), "", AT_EMPTY_PATH, setAttrs(MOUNT_ATTR.RDONLY)], at(dir === null ? "mount" : "rootfs")("make the root read-only")));
  return ops;
}

/** The "pivot_root" phase. Into the rootfs or the tmpfs: pivot_root(".", ".") stacks the old
 * root on the new one, and a lazy unmount of "." takes it away (no directory needed for it).
 * The seed's manual mode keeps the old root at OLD for the as_root hooks. */
export function planRootPivot(config: JailConfig, host: HostFacts): Op[] {
  const pivot = config.fs.pivotRoot;
  if (pivot !== null) {
    const o = at("pivot_root");
    const dir = rootDir(config.fs, host)!;
    return [op("chdir", [dir], o(`chdir ${dir}`)), op("pivot_root", [".", pivot.old], o(`pivot_root into ${pivot.new}, the old root at ${pivot.old}`)), op("chdir", ["/"], o("chdir /"))];
  }
  const o = at(config.fs.rootfs === null ? "mount" : "rootfs");
  return [
    op("fchdir", [fd("new_root")], o("enter the new root")),
    op("pivot_root", [".", "."], o("pivot_root into the new root")),
    op("umount2", [".", MNT.DETACH], o("unmount the old root")),
    op("chdir", ["/"], o("chdir /")),
    op("close", [fd("new_root")], o("close the new root")),
  ];
}

