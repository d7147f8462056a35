// Kernel constants used by planners and the parent; the syscall tables feed the generated
// C header, so the trampoline never hard-codes a number of its own.
import { EINTR, EINVAL } from "../errno.ts";
import { EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND } from "../errors.ts";

export const CLONE = {
  NEWTIME: 0x80,
  NEWNS: 0x00020000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
} as const;

export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  SYNCHRONOUS: 16,
  REMOUNT: 32,
  MANDLOCK: 64,
  DIRSYNC: 128,
  NOSYMFOLLOW: 256,
  NOATIME: 1024,
  NODIRATIME: 2048,
  BIND: 4096,
  MOVE: 8192,
  REC: 16384,
  SILENT: 32768,
  UNBINDABLE: 1 << 17,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
  RELATIME: 1 << 21,
  STRICTATIME: 1 << 24,
  LAZYTIME: 1 << 25,
} as const;
/** umount2(2) flags. */
export const MNT = { FORCE: 1, DETACH: 2, EXPIRE: 4, UMOUNT_NOFOLLOW: 8 } as const;
/** seccomp(2) SECCOMP_SET_MODE_FILTER flags. */
export const SECCOMP_FILTER_FLAG = { TSYNC: 1, LOG: 2, SPEC_ALLOW: 4, NEW_LISTENER: 8, TSYNC_ESRCH: 16 } as const;

export const PR = {
  SET_PDEATHSIG: 1,
  SET_DUMPABLE: 4,
  SET_CHILD_SUBREAPER: 36,
  SET_KEEPCAPS: 8,
  CAPBSET_DROP: 24,
  SET_NO_NEW_PRIVS: 38,
  CAP_AMBIENT: 47,
} as const;
export const PR_CAP_AMBIENT_RAISE = 2;
export const PR_CAP_AMBIENT_LOWER = 3;
export const PR_CAP_AMBIENT_CLEAR_ALL = 4;

export const SIG = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, USR2: 12, TERM: 15, CHLD: 17, CONT: 18 } as const;

export const F_SETFD = 2;
export const F_ADD_SEALS = 1033;
/** F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE */
export const SEALS_ALL = 0x1 | 0x2 | 0x4 | 0x8;
export const MFD_CLOEXEC = 1;
export const MFD_ALLOW_SEALING = 2;
/** Linux ≥ 6.3; older kernels reject it with EINVAL and allow exec anyway. */
export const MFD_EXEC = 0x10;
/** Linux ≥ 6.3: the memfd can never be made executable (data, not code). */
export const MFD_NOEXEC_SEAL = 0x8;
export const WNOHANG = 1;
/** waitid(2): P_ALL, WEXITED and WNOWAIT (look at a zombie child without reaping it). */
export const WAITID = { P_ALL: 0, WEXITED: 4, WNOWAIT: 0x0100_0000, SIGINFO_SIZE: 128, SI_PID_OFFSET: 16 } as const;
export const CLOSE_RANGE_CLOEXEC = 4;
export const O_CLOEXEC = 0o2000000;
/** Opening a FIFO for reading blocks until a writer comes, unless non-blocking. */
export const O_NONBLOCK = 0o4000;
/** statx(2): ask for the file type; stx_mode is a u16 at offset 28 of struct statx. */
export const STATX = { TYPE: 1, SIZE: 0x100, MODE_OFFSET: 28, STRUCT_SIZE: 256 } as const;
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const MAX_FD = 0xffffffff;

/** Terminal ioctls (asm-generic numbers, the same on x86_64 and aarch64). */
export const TIOC = {
  TCGETS: 0x5401, TCSETS: 0x5402, SCTTY: 0x540e, GWINSZ: 0x5413, SWINSZ: 0x5414,
  GPTN: 0x80045430, SPTLCK: 0x40045431, GPTPEER: 0x5441,
} as const;

/** Signals the supervisor and the jail's init pass on to the command. */
export const FORWARDED_SIGNALS = [SIG.HUP, SIG.INT, SIG.QUIT, SIG.USR1, SIG.USR2, SIG.TERM] as const;

/** Per-architecture syscall numbers the trampoline needs. */
export const SYSCALLS = {
  x86_64: {
    read: 0, write: 1, close: 3, mmap: 9, munmap: 11, rt_sigaction: 13, rt_sigprocmask: 14,
    ioctl: 16, getpid: 39, socket: 41, exit: 60, wait4: 61, kill: 62, fcntl: 72, chdir: 80, mkdirat: 258, lseek: 8, signalfd4: 289, memfd_create: 319,
    getppid: 110, setgroups: 116, setresuid: 117, setresgid: 119, setsid: 112, capset: 126,
    prctl: 157, pivot_root: 155, mount: 165, umount2: 166, sethostname: 170, setdomainname: 171,
    exit_group: 231, unshare: 272, prlimit64: 302, execve: 59, execveat: 322, openat: 257,
    clone: 56, clone3: 435, close_range: 436, mprotect: 10, pipe2: 293, ppoll: 271, seccomp: 317, setpriority: 141, sched_setaffinity: 203, pidfd_open: 434, pwrite64: 18, statx: 332, dup3: 292, waitid: 247,
    setns: 308, fchdir: 81, chroot: 161, connect: 42, sendmsg: 46, recvmsg: 47, getsockopt: 55, setsockopt: 54, pidfd_send_signal: 424,
    bind: 49, socketpair: 53, getrusage: 98, faccessat: 269,
    open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, openat2: 437, mount_setattr: 442,
    symlinkat: 266, fchmodat: 268,
  },
  aarch64: {
    read: 63, write: 64, close: 57, mmap: 222, munmap: 215, rt_sigaction: 134, rt_sigprocmask: 135,
    ioctl: 29, getpid: 172, socket: 198, exit: 93, wait4: 260, kill: 129, fcntl: 25, chdir: 49, mkdirat: 34, lseek: 62, signalfd4: 74, memfd_create: 279,
    getppid: 173, setgroups: 159, setresuid: 147, setresgid: 149, setsid: 157, capset: 91,
    prctl: 167, pivot_root: 41, mount: 40, umount2: 39, sethostname: 161, setdomainname: 162,
    exit_group: 94, unshare: 97, prlimit64: 261, execve: 221, execveat: 281, openat: 56,
    clone: 220, clone3: 435, close_range: 436, mprotect: 226, pipe2: 59, ppoll: 73, seccomp: 277, setpriority: 140, sched_setaffinity: 122, pidfd_open: 434, pwrite64: 68, statx: 291, dup3: 24, waitid: 95,
    setns: 268, fchdir: 50, chroot: 51, connect: 203, sendmsg: 211, recvmsg: 212, getsockopt: 209, setsockopt: 208, pidfd_send_signal: 424,
    bind: 200, socketpair: 199, getrusage: 165, faccessat: 48,
    open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, openat2: 437, mount_setattr: 442,
    symlinkat: 36, fchmodat: 53,
  },
} as const;

/** The parent's own AF_UNIX calls (sys/unix-socket.ts, sys/unix-datagram.ts) beside the
 * socket constants of C_CONSTANTS: recvmsg flags and the LP64 layouts they fill by hand. */
export const UNIX_MSG = {
  DONTWAIT: 0x40,
  /** sockaddr_un: a u16 family, then up to 108 path bytes. */
  SUN_PATH: 108,
  /** struct msghdr: name, namelen, iov, iovlen, control, controllen, flags. */
  MSGHDR_SIZE: 56,
  /** struct cmsghdr's header before its data. */
  CMSG_HEADER: 16,
} as const;

/**
 * ABI constants the trampoline needs, identical on x86_64 and aarch64; exported to
 * build/nsj_wire.h as NSJ_<NAME>.
 */
export const C_CONSTANTS = {
  AT_FDCWD: -100, AT_EMPTY_PATH: 0x1000, O_WRONLY: 1, O_CLOEXEC, SEEK_END: 2, F_SETFD,
  AF_INET: 2, SOCK_DGRAM: 2, SOCK_CLOEXEC: 0o2000000, SIOCGIFFLAGS: 0x8913, SIOCSIFFLAGS: 0x8914, IFF_UP: 1,
  CLONE_VM: 0x100, CLONE_VFORK: 0x4000, FD_CLOEXEC: 1, SIGCHLD: SIG.CHLD,
  FORWARD_MASK: `0x${FORWARDED_SIGNALS.reduce((m, s) => m | (1 << (s - 1)), 1 << (SIG.CHLD - 1)).toString(16)}ul`, SIGKILL: SIG.KILL, SIGCONT: SIG.CONT, SIGSTOP: 19, SIG_SETMASK: 2, NSIG: 64,
  PROT_NONE: 0, PROT_READ: 1, PROT_WRITE: 2, MAP_PRIVATE: 2, MAP_ANONYMOUS: 0x20, MAP_STACK: 0x20000,
  WNOHANG: 1, SFD_CLOEXEC: 0o2000000, CAP_VERSION_3: 0x20080522, PR_SET_DUMPABLE: PR.SET_DUMPABLE,
  EXIT_NOT_FOUND, EXIT_CANNOT_EXECUTE,
  EINVAL, ENOENT: 2, ENOTDIR: 20, EACCES: 13, ECHILD: 10, E2BIG: 7, ENAMETOOLONG: 36, EIO: 5, EINTR, EAGAIN: 11, ESRCH: 3, POLLHUP: 0x10, SECCOMP_SET_MODE_FILTER: 1,
  EEXIST: 17, EBADF: 9, WAIT_FAILED: 0x10000,
  // the seccomp listener the jail's init takes from its command child; the init's usage
  // record; the command's check before its filter
  AF_UNIX: 1, SOCK_SEQPACKET: 5, SOL_SOCKET: 1, SCM_RIGHTS: 1, MSG_NOSIGNAL: 0x4000, MSG_CMSG_CLOEXEC: 0x40000000,
  POLLIN: 1, SECCOMP_IOCTL_NOTIF_RECV: "0xc0502100u", SIGSYS: 31, RUSAGE_CHILDREN: -1, X_OK: 1,
} as const;
