// Stage 2 (plan): the op vocabulary shared with the trampoline — each op kind's code and
// argument signature, and the fd slots that ops name instead of fd numbers. The C side gets
// all of it through the generated header build/nsj_wire.h (scripts/gen-wire-h.ts).
import { C_CONSTANTS } from "../sys/constants.ts";

/** Op codes: the TS kind, the C handler op_<kind> and NSJ_OP_<KIND> share one name. */
export const OP_CODES = {
  prctl: 1,
  mount: 2,
  umount2: 3,
  mkdir: 4,
  chdir: 5,
  pivot_root: 6,
  sethostname: 7,
  setdomainname: 8,
  setresuid: 9,
  setresgid: 10,
  setgroups: 11,
  capset: 12,
  write_file: 13,
  wait_parent: 14,
  setsid: 15,
  close_range: 16,
  fcntl: 17,
  setrlimit: 18,
  unshare: 19,
  if_up: 20,
  exec_init: 21,
  execve: 22,
  close: 23,
  fork_wait: 24,
  check_parent: 25,
  seccomp: 26,
  setpriority: 27,
  sched_setaffinity: 28,
  // The file system (src/plan/fs/): the new mount API and *at() calls on fd slots, so every
  // path inside the new root is resolved from an fd (see ffi/fs.c).
  open_tree: 29,
  move_mount: 30,
  openat2: 31,
  fsopen: 32,
  fsconfig: 33,
  fsmount: 34,
  mount_setattr: 35,
  mkdirat: 36,
  symlinkat: 37,
  fchmodat: 38,
  write: 40,
  copy_fd: 41,
  exec_wait: 42,
  // Entering a root: setns and chroot for nsjail join (src/plan/join.ts); fchdir there and
  // into a new root (src/plan/fs/root.ts).
  setns: 50,
  fchdir: 51,
  chroot: 52,
  // 60–69: terminal, service manager (pty, notify socket, socket activation); the pty goes
  // onto fds 0, 1 and 2 with dup3 (81)
  ioctl: 60,
  getpid: 62,
  bind_unix: 63,
  // 70-79: limits, seccomp and the exit record
  seccomp_listener: 70,
  faccessat: 71,
  // 80-89: the emperor's branch (a jail that leaves the spawner's memory; stdio slots)
  exec_image: 80,
  dup3: 81,
} as const;

export type OpKind = keyof typeof OP_CODES;

/**
 * Argument kinds per op, checked by the encoder and by the C decoder (nsj_plan_check):
 * i = integer, s = string (or NULL), a = string array, n = integer array, f = fd slot,
 * b = bytes (a seccomp filter: whole 8-byte instructions).
 */
export const OP_SIGNATURES: Record<OpKind, string> = {
  prctl: "iiiii",
  mount: "sssis",
  umount2: "si",
  mkdir: "si",
  chdir: "s",
  pivot_root: "ss",
  sethostname: "s",
  setdomainname: "s",
  setresuid: "iii",
  setresgid: "iii",
  setgroups: "n",
  capset: "iii",
  write_file: "ss",
  wait_parent: "f",
  setsid: "",
  close_range: "iii",
  fcntl: "iii",
  setrlimit: "iii",
  unshare: "i",
  if_up: "s",
  exec_init: "fi",
  execve: "saas",
  close: "f",
  fork_wait: "",
  check_parent: "f",
  seccomp: "bi",
  setpriority: "iii",
  sched_setaffinity: "n",
  // An `f` first argument of open_tree, openat2, fsopen and fsmount is the slot the new fd
  // goes to (-1 on failure); `n` of openat2 is struct open_how [flags, mode, resolve] and of
  // mount_setattr struct mount_attr [attr_set, attr_clr, propagation, userns_fd].
  open_tree: "ffsi",
  move_mount: "fsfsi",
  openat2: "ffsn",
  fsopen: "fsi",
  fsconfig: "fissi",
  fsmount: "ffii",
  mount_setattr: "fsin",
  mkdirat: "fsi",
  symlinkat: "sfs",
  fchmodat: "fsi",
  write: "fs",
  copy_fd: "fi",
  exec_wait: "saas",
  setns: "fi",
  fchdir: "f",
  chroot: "s",
  ioctl: "fii",
  getpid: "s",
  bind_unix: "sf",
  seccomp_listener: "bif",
  faccessat: "ss",
  exec_image: "fi",
  dup3: "fi",
};

/**
 * Fds that exist only once a jail is launched. The plan names them by slot, so one plan
 * serves every launch; the launcher hands the trampoline a table of numbers (-1 = none), and
 * the init and exec mode get the same table on their argv.
 */
export const FD_SLOTS = [
  "status", // write end of the status pipe (records to the parent)
  "sync_read", // the child waits on it until the parent has written its maps; later, a
  // hang-up on it means the parent is gone (fork_wait makes a new one for its child)
  "sync_write", // the parent's end, closed in the child
  "image", // the sealed trampoline image, exec'd as the init
  "plan", // a memfd holding these very bytes, read by the setup image and the init
  "stdin", // what the jail gets as fds 0, 1 and 2 (dup3 ops); -1 keeps nsjail's own
  "stdout",
  "stderr",
  // nsjail join: a running jail's namespace fds, one slot per kind (src/plan/join.ts), its
  // root directory and (join --pid) its process's working directory; filled from the setns
  // socket or from /proc/PID.
  "ns_user",
  "ns_cgroup",
  "ns_ipc",
  "ns_uts",
  "ns_net",
  "ns_pid",
  "ns_time",
  "ns_fs",
  "root",
  "cwd",
  "listener", // the command's end of a socket to its init, which takes the seccomp filter's
  // listener over it (set by fork_wait in the init's child only)
  // `run`'s session with the caller's terminal and systemd (src/supervisor/session.ts)
  "pty", // the pseudo-terminal's slave end, the command's stdio and controlling terminal
  "exec_watch", // write end of a pipe only the command's process holds: EOF once it has exec'd
  "notify", // nsjail's end of a socketpair that receives the jail's notify socket (bind_unix)
  // Filled by the jail's own ops (src/plan/fs/), -1 until then and after their close:
  "at_cwd", // AT_FDCWD, always: the dirfd of an absolute host path or the working directory
  "new_root", // the new root (rootfs bind, empty tmpfs or pivot_root's NEW) until pivot_root
  "under", // the rootfs before its self-bind covers it: kept host mounts are cloned from here
  "mnt", // the mount being built (open_tree or fsmount), attached by move_mount
  "sub", // a second detached mount, for mounts built inside `mnt` (/dev's pts, shm, nodes)
  "dst", // where `mnt` goes: an O_PATH fd from openat2 RESOLVE_IN_ROOT, or a parent dir
  "fs", // a file system context (fsopen) until fsmount
  "file", // a file being written (--file content, write hooks)
] as const;
export type FdSlot = (typeof FD_SLOTS)[number];

/** Limits the C side enforces (its stack holds argv/envp pointer arrays); the config stage
 * refuses a command over the first, so it owns the number. */
export { MAX_EXEC_STRINGS, MAX_GROUPS } from "../config/model.ts";
/** Ops in one plan: the C decoder refuses more (a plan of a few thousand mounts fits). */
export const MAX_OPS = 65536;
/** The kernel's BPF_MAXINSNS: a longer seccomp filter is refused. */
export const MAX_FILTER_INSNS = 4096;

/** Slots whose number is the same for every launch. */
const FIXED_SLOTS: Partial<Record<FdSlot, number>> = { at_cwd: C_CONSTANTS.AT_FDCWD };

/** The table a launcher hands over: one fd number per slot, in FD_SLOTS order, -1 for none. */
export function fdTable(fds: Partial<Record<FdSlot, number>>): number[] {
  return FD_SLOTS.map((slot) => fds[slot] ?? FIXED_SLOTS[slot] ?? -1);
}
