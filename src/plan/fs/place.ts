// Stage 2 (plan): where a mount goes in the new root. Every destination is opened from the
// root's fd with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so `..` and symlinks
// (absolute ones too) resolve as the jail will see them and never reach the host. Missing
// mount points are made only inside file systems nsjail made (the empty root, a tmpfs it
// mounted) or where a mount says `create = true`: a user's rootfs is never written otherwise.
import type { HostFacts } from "../../config/host.ts";
import type { Namespace } from "../../config/model.ts";
import { AT_EMPTY_PATH, MOUNT_ATTR, MOVE_MOUNT, O, RESOLVE } from "../../sys/fs-constants.ts";
import { fd, op, type Op, type OpOrigin } from "../types.ts";

export type DstType = "dir" | "file";

/** openat2's resolve flags for every path inside the new root. */
export const IN_ROOT = RESOLVE.IN_ROOT | RESOLVE.NO_MAGICLINKS;
const DIR_MODE = 0o755;
const FILE_MODE = 0o644;

/** struct open_how as the openat2 op takes it. */
export function how(flags: number, mode = 0, resolve = IN_ROOT): number[] {
  return [flags, mode, resolve];
}

/** struct mount_attr with only attr_set: a mount_setattr op never clears a flag, so the
 * flags the kernel locks on a host mount are kept. */
export function setAttrs(attrs: number): number[] {
  return [attrs, 0, 0, 0];
}

/** `/a/b` → `a/b`: a path relative to the root's fd. */
export function rel(path: string): string {
  return path.slice(1);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Every ancestor of `path`, nearest first, `/` last. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let p = parentOf(path); ; p = parentOf(p)) {
    out.push(p);
    if (p === "/") return out;
  }
}

/** The new root while it is assembled: which directories exist for sure, which file systems
 * nsjail made (mount points may be made there), and what runs after the last mount. */
export class NewRoot {
  private readonly made = new Set<string>(["/"]);
  private readonly owned = new Set<string>();
  /** Ops run after every mount: read-only switches of file systems nsjail made, which
   * stay writable until then so mount points can be made in them. */
  readonly later: Op[] = [];

  /** `ownsRoot`: the root is an empty tmpfs nsjail made. `userNs`: the jail has a user
   * namespace, so every host mount is locked (recursive binds only). */
  constructor(
    readonly ownsRoot: boolean,
    readonly userNs: boolean,
  ) {
    if (ownsRoot) this.owned.add("/");
  }

  /** Whether a missing `path` may be made: it lies inside a file system nsjail made. */
  owns(path: string): boolean {
    return ancestorsOf(path).some((dir) => this.owned.has(dir));
  }

  /** A file system nsjail made is now mounted at `path`. */
  own(path: string): void {
    this.owned.add(path);
    this.made.add(path);
  }

  /** `path` exists from here on (a directory an op made). */
  known(path: string): void {
    this.made.add(path);
  }

  /** Ops leaving an fd of `dst` in the `dst` slot: O_PATH, or a file made with O_CREAT when
   * it may be made. Parents are made first when they may be. */
  target(dst: string, type: DstType, create: boolean, o: (note: string) => OpOrigin): Op[] {
    const make = create || this.owns(dst);
    const ops = make ? this.parents(dst, o) : [];
    if (make && type === "dir") ops.push(...this.mkdir(dst, DIR_MODE, o));
    const flags = make && type === "file" ? O.RDONLY | O.CREAT | O.NONBLOCK | O.NOCTTY | O.CLOEXEC : O.PATH | O.CLOEXEC;
    const mode = make && type === "file" ? FILE_MODE : 0;
    ops.push(op("openat2", [fd("dst"), fd("new_root"), rel(dst), how(flags, mode)], o(`open the mount point ${dst} in the new root`)));
    this.made.add(dst);
    return ops;
  }

  /** Ops making every missing parent of `path` (each mkdir is from its parent's fd). */
  parents(path: string, o: (note: string) => OpOrigin): Op[] {
    const missing: string[] = [];
    for (let p = parentOf(path); !this.made.has(p); p = parentOf(p)) missing.unshift(p);
    return missing.flatMap((p) => this.mkdir(p, DIR_MODE, o));
  }

  /** mkdirat from the parent's fd; an existing directory is fine. */
  mkdir(path: string, mode: number, o: (note: string) => OpOrigin): Op[] {
    this.made.add(path);
    return this.inParent(path, (dir, name) => [op("mkdirat", [dir, name, mode], o(`make the directory ${path}`))], o);
  }

  /** `make(dirSlot, name)` run with `path`'s parent open: the root itself, or the `dst` slot. */
  inParent(path: string, make: (dir: ReturnType<typeof fd>, name: string) => Op[], o: (note: string) => OpOrigin): Op[] {
    const parent = parentOf(path);
    if (parent === "/") return make(fd("new_root"), baseOf(path));
    return [
      op("openat2", [fd("dst"), fd("new_root"), rel(parent), how(O.PATH | O.CLOEXEC)], o(`open ${parent} in the new root`)),
      ...make(fd("dst"), baseOf(path)),
      op("close", [fd("dst")], o(`close ${parent}`)),
    ];
  }

  /** Read-only after the last mount: nsjail's own file system at `path` (not its submounts). */
  readOnlyLater(path: string, o: (note: string) => OpOrigin): void {
    this.later.push(
      op("openat2", [fd("dst"), fd("new_root"), rel(path), how(O.PATH | O.CLOEXEC)], o(`open ${path} to make it read-only`)),
      op("mount_setattr", [fd("dst"), "", AT_EMPTY_PATH, setAttrs(MOUNT_ATTR.RDONLY)], o(`make ${path} read-only`)),
      op("close", [fd("dst")], o(`close ${path}`)),
    );
  }
}

/** What a mount's planner gets: the new root, the host facts, and its origin. */
export interface MountAt {
  readonly root: NewRoot;
  readonly host: HostFacts;
  readonly unshare: ReadonlySet<Namespace>;
  /** The mount's key path (`mount[2]`, `--bind[0]`, `rootfs`) with a note for one op. */
  readonly o: (note: string) => OpOrigin;
}

/** The detached mount in `from` goes onto the `dst` slot; both are closed. */
export function attach(what: string, dst: string, o: (note: string) => OpOrigin, from: "mnt" | "sub" = "mnt"): Op[] {
  return [
    op("move_mount", [fd(from), "", fd("dst"), "", MOVE_MOUNT.F_EMPTY_PATH | MOVE_MOUNT.T_EMPTY_PATH], o(`attach ${what} on ${dst}`)),
    op("close", [fd("dst")], o(`close ${dst}`)),
    op("close", [fd(from)], o(`close the ${what} mount`)),
  ];
}
