// Ground floor: errno numbers ↔ names ↔ messages, and hints keyed by (call, errno). Pure data.

/** The errnos code branches on; raw syscalls return them negated. */
export const EINTR = 4;
export const EINVAL = 22;

const ERRNOS: Record<number, readonly [string, string]> = {
  1: ["EPERM", "Operation not permitted"],
  2: ["ENOENT", "No such file or directory"],
  3: ["ESRCH", "No such process"],
  4: ["EINTR", "Interrupted system call"],
  5: ["EIO", "Input/output error"],
  7: ["E2BIG", "Argument list too long"],
  8: ["ENOEXEC", "Exec format error"],
  9: ["EBADF", "Bad file descriptor"],
  10: ["ECHILD", "No child processes"],
  11: ["EAGAIN", "Resource temporarily unavailable"],
  12: ["ENOMEM", "Cannot allocate memory"],
  13: ["EACCES", "Permission denied"],
  14: ["EFAULT", "Bad address"],
  16: ["EBUSY", "Device or resource busy"],
  17: ["EEXIST", "File exists"],
  18: ["EXDEV", "Invalid cross-device link"],
  19: ["ENODEV", "No such device"],
  20: ["ENOTDIR", "Not a directory"],
  21: ["EISDIR", "Is a directory"],
  22: ["EINVAL", "Invalid argument"],
  23: ["ENFILE", "Too many open files in system"],
  24: ["EMFILE", "Too many open files"],
  25: ["ENOTTY", "Inappropriate ioctl for device"],
  26: ["ETXTBSY", "Text file busy"],
  28: ["ENOSPC", "No space left on device"],
  30: ["EROFS", "Read-only file system"],
  36: ["ENAMETOOLONG", "File name too long"],
  38: ["ENOSYS", "Function not implemented"],
  40: ["ELOOP", "Too many levels of symbolic links"],
  95: ["EOPNOTSUPP", "Operation not supported"],
  111: ["ECONNREFUSED", "Connection refused"],
  125: ["ECANCELED", "Operation canceled"],
};

export function errnoName(errno: number): string {
  return ERRNOS[errno]?.[0] ?? `E${errno}`;
}

/** "ENOENT" → 2, as node:fs errors name them; null for a name not in the table. */
export function errnoNumber(name: string): number | null {
  const hit = Object.entries(ERRNOS).find(([, [n]]) => n === name);
  return hit === undefined ? null : Number(hit[0]);
}

export function errnoText(errno: number): string {
  return ERRNOS[errno]?.[1] ?? `Unknown error ${errno}`;
}

/** Hints for the failures operators hit most; keyed by "call:ERRNAME" or "*:ERRNAME". */
const HINTS: Record<string, string> = {
  "clone:EPERM": "creating namespaces needs root or unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone, user.max_user_namespaces)",
  "clone:ENOSPC": "user.max_user_namespaces (or another namespace limit) is exhausted",
  "clone:EINVAL": "this kernel lacks one of the requested namespaces (see `nsjail test`)",
  "write:EPERM": "mapping ids other than your own needs root or newuidmap/newgidmap (package uidmap)",
  "execve:ENOENT": "the command was not found inside the jail (check the path and PATH)",
  "execve:EACCES": "the command is not executable inside the jail (permissions or a noexec mount)",
  "faccessat:ENOENT": "the command was not found inside the jail (check the path and PATH)",
  "faccessat:EACCES": "the command is not executable inside the jail (permissions or a noexec mount)",
  "mount:EPERM": "the mount is not allowed in this user namespace",
  "mount:EINVAL": "in a user namespace a tree holding other mounts binds only recursively (bind,rec)",
  "umount2:EBUSY": "still in use: unmount it lazily (detach)",
  "sethostname:EPERM": "a hostname needs a new uts namespace",
  "clone:EAGAIN": "the process limit (ulimit -u) is reached",
  // The init reports a failed fork at the first op of the command's process, setsid.
  "setsid:EAGAIN": "the jail's init could not fork: the process limit (ulimit -u, or limits.pids) is reached",
  "setsid:EMFILE": "the jail's init could not start the command: the open-file limit (ulimit -n, or limits.rlimit_nofile, which the init shares) is too low",
  "setrlimit:EPERM": "raising a hard limit above nsjail's own needs CAP_SYS_RESOURCE (run as root)",
  "setpriority:EACCES": "a nice level below nsjail's own needs CAP_SYS_NICE, or limits.rlimit_nice",
  "sched_setaffinity:EINVAL": "none of the CPUs in limits.cpu_affinity is online or allowed to nsjail (see taskset -p $$)",
  "seccomp:EACCES": "installing a filter needs no_new_privs or CAP_SYS_ADMIN",
  "seccomp_listener:EBUSY": "nsjail already runs under a seccomp filter with a listener (a container runtime's?): only one is allowed; give seccomp.deny_action other than kill, or run the command as PID 1",
  "connect:EACCES": "a setns socket lets in only its jail's owner and root, unless its setns_allow names you",
  "*:EMFILE": "the open-file limit (ulimit -n) is too low",
  "*:ENFILE": "the system-wide open-file limit (sysctl fs.file-max) is reached",
  "*:ENOMEM": "out of memory, or the address-space limit (ulimit -v) is too low",
  "openat2:ENOENT": "the mount point is missing in the new root: make it there, or set create = true on the mount (nsjail never writes a rootfs by itself)",
  "openat2:ELOOP": "a magic link (/proc/PID/root and the like) on the way: it would lead out of the new root",
  "fsopen:ENODEV": "this kernel has no such file system type",
  "open_tree:ENOENT": "the host path does not exist",
  "open_tree:EINVAL": "in a user namespace a tree holding host mounts can only be bound recursively",
  "fsconfig:EINVAL": "the file system refused this option (see its man page)",
};

export function hintFor(call: string, errno: number): string | undefined {
  const name = errnoName(errno);
  return HINTS[`${call}:${name}`] ?? HINTS[`*:${name}`];
}
