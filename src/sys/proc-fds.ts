// Ground floor (sys): fds onto a running process's namespaces and root, opened through /proc/PID
// and checked with the nsfs ioctls, plus pidfds that pin the process while they are opened.
// Used by the setns socket's server and by `nsjail join --pid`.
import { checkRc } from "../errors.ts";
import { encodeBytes } from "./bytes.ts";
import { C_CONSTANTS, O_CLOEXEC, STATX } from "./constants.ts";
import { loadNative, NR } from "./ffi.ts";

export interface ProcFds {
  /** /proc/PID/ns/NAME (`mnt`, `net`, …), read-only, close-on-exec. */
  openNamespace(pid: number, name: string): number;
  /** /proc/PID/root as an O_PATH directory fd, for fchdir + chroot("."). */
  openRoot(pid: number): number;
  /** /proc/PID/cwd likewise, for fchdir. */
  openCwd(pid: number): number;
  /** ioctl(NS_GET_NSTYPE): the CLONE_NEW* flag of a namespace fd (Linux ≥ 4.11). */
  nsType(fd: number): number;
  /** A namespace's identity, `dev:inode` as /proc/PID/ns/* links show them. */
  nsId(fd: number): string;
  /** The identity of the user namespace that owns a namespace (ioctl NS_GET_USERNS). */
  ownerId(fd: number): string;
  /** A pidfd: the process it names cannot be confused with a later one of the same pid. */
  pidfd(pid: number): number;
  /** Whether the process behind a pidfd is still running (pidfd_send_signal with signal 0). */
  isAlive(pidfd: number): boolean;
  close(fd: number): void;
}

const O_RDONLY = 0;
const O_DIRECTORY = 0o200000;
const O_PATH = 0o10000000;
/** _IO(0xb7, 0x1) and _IO(0xb7, 0x3) from linux/nsfs.h. */
const NS_GET_USERNS = 0xb701;
const NS_GET_NSTYPE = 0xb703;
/** struct statx: stx_ino (u64) at 32, stx_dev_major and stx_dev_minor (u32) at 136 and 140. */
const STX_INO = 0x100;
const STX_INO_OFFSET = 32;
const STX_DEV_OFFSET = 136;

const native = loadNative();
const EMPTY = Buffer.from("\0");

function open(path: string, flags: number): number {
  const cpath = Buffer.from(encodeBytes(`${path}\0`));
  return checkRc("open", native.syscall(NR.openat, C_CONSTANTS.AT_FDCWD, native.address(cpath), flags | O_CLOEXEC), path);
}

function nsId(fd: number): string {
  const stx = new Uint8Array(STATX.STRUCT_SIZE);
  checkRc("statx", native.syscall(NR.statx, fd, native.address(EMPTY), C_CONSTANTS.AT_EMPTY_PATH, STX_INO, native.address(stx)), `fd ${fd}`);
  const v = new DataView(stx.buffer);
  return `${v.getUint32(STX_DEV_OFFSET, true)}:${v.getUint32(STX_DEV_OFFSET + 4, true)}:${v.getBigUint64(STX_INO_OFFSET, true)}`;
}

export const procFds: ProcFds = {
  openNamespace: (pid, name) => open(`/proc/${pid}/ns/${name}`, O_RDONLY),
  openRoot: (pid) => open(`/proc/${pid}/root`, O_PATH | O_DIRECTORY),
  openCwd: (pid) => open(`/proc/${pid}/cwd`, O_PATH | O_DIRECTORY),
  nsType: (fd) => checkRc("ioctl(NS_GET_NSTYPE)", native.syscall(NR.ioctl, fd, NS_GET_NSTYPE), `fd ${fd}`),
  nsId,
  ownerId(fd) {
    const owner = checkRc("ioctl(NS_GET_USERNS)", native.syscall(NR.ioctl, fd, NS_GET_USERNS), `fd ${fd}`);
    try {
      return nsId(owner);
    } finally {
      native.syscall(NR.close, owner);
    }
  },
  pidfd: (pid) => checkRc("pidfd_open", native.syscall(NR.pidfd_open, pid, 0), String(pid)),
  isAlive: (pidfd) => native.syscall(NR.pidfd_send_signal, pidfd, 0, 0, 0) === 0,
  close: (fd) => void native.syscall(NR.close, fd),
};
