// Stage 2 (plan): a minimal /dev on a tmpfs of its own. The six harmless nodes are binds of the
// host's (mknod needs host root), pts is a private devpts instance with its own ptmx, shm a
// tmpfs, mqueue the jail's queues when it has an ipc namespace, plus the fd links. The tmpfs
// itself turns read-only after the last mount; pts, shm and mqueue stay writable.
import type { MountSpec } from "../../config/fs/model.ts";
import { MOVE_MOUNT, MOUNT_ATTR, OPEN_TREE, O } from "../../sys/fs-constants.ts";
import { fd, op, type Op, type OpOrigin } from "../types.ts";
import { attrsOf, newMount } from "./new-mount.ts";
import { how, IN_ROOT, type MountAt } from "./place.ts";

export type DevMount = Extract<MountSpec, { kind: "dev" }>;

const NODES = ["null", "zero", "full", "random", "urandom", "tty"];
const LINKS: readonly [string, string][] = [
  ["ptmx", "pts/ptmx"],
  ["fd", "/proc/self/fd"],
  ["stdin", "/proc/self/fd/0"],
  ["stdout", "/proc/self/fd/1"],
  ["stderr", "/proc/self/fd/2"],
];
/** The tty group of Debian and Fedora; only without a user namespace, where it need not be mapped. */
const TTY_GID = 5;

export function planDev(m: DevMount, at: MountAt): Op[] {
  const o = at.o;
  const ops = [
    ...newMount("tmpfs", "tmpfs", "mode=0755,size=512k", attrsOf(m.flags, true), "mnt", o),
    ...at.root.target(m.dst, "dir", m.create, o),
    op("move_mount", [fd("mnt"), "", fd("dst"), "", MOVE_MOUNT.F_EMPTY_PATH | MOVE_MOUNT.T_EMPTY_PATH], o(`attach the tmpfs on ${m.dst}`)),
    op("close", [fd("dst")], o(`close ${m.dst}`)),
    ...NODES.flatMap((n) => node(n, m.dst, o)),
    ...sub(m.dst, "pts", "devpts", devptsOptions(at.root.userNs), MOUNT_ATTR.NOSUID | MOUNT_ATTR.NOEXEC, o),
    ...LINKS.map(([name, target]) => op("symlinkat", [target, fd("mnt"), name], o(`symlink ${m.dst}/${name} → ${target}`))),
    ...sub(m.dst, "shm", "tmpfs", "mode=1777", MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV, o),
    ...(at.unshare.has("ipc") ? sub(m.dst, "mqueue", "mqueue", "", MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC, o) : []),
    op("close", [fd("mnt")], o(`close ${m.dst}`)),
  ];
  at.root.own(m.dst);
  if (!m.flags.rw) at.root.readOnlyLater(m.dst, o);
  return ops;
}

function devptsOptions(userNs: boolean): string {
  return `newinstance,ptmxmode=0666,mode=620${userNs ? "" : `,gid=${TTY_GID}`}`;
}

/** An empty file in the tmpfs, then the host's node bound onto it. */
function node(name: string, dev: string, o: (note: string) => OpOrigin): Op[] {
  return [
    op("openat2", [fd("file"), fd("mnt"), name, how(O.WRONLY | O.CREAT | O.EXCL | O.CLOEXEC, 0o666, IN_ROOT)], o(`make ${dev}/${name}`)),
    op("close", [fd("file")], o(`close ${dev}/${name}`)),
    op("open_tree", [fd("sub"), fd("at_cwd"), `/dev/${name}`, OPEN_TREE.CLONE | OPEN_TREE.CLOEXEC], o(`clone the host's /dev/${name}`)),
    op("move_mount", [fd("sub"), "", fd("mnt"), name, MOVE_MOUNT.F_EMPTY_PATH], o(`bind /dev/${name} on ${dev}/${name}`)),
    op("close", [fd("sub")], o(`close /dev/${name}`)),
  ];
}

/** A directory of the tmpfs with a fresh file system on it. */
function sub(dev: string, name: string, fstype: string, options: string, attrs: number, o: (note: string) => OpOrigin): Op[] {
  return [
    op("mkdirat", [fd("mnt"), name, 0o755], o(`make ${dev}/${name}`)),
    ...newMount(fstype, fstype, options, attrs, "sub", o),
    op("move_mount", [fd("sub"), "", fd("mnt"), name, MOVE_MOUNT.F_EMPTY_PATH], o(`attach ${fstype} on ${dev}/${name}`)),
    op("close", [fd("sub")], o(`close ${dev}/${name}`)),
  ];
}
