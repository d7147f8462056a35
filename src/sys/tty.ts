// The parent's terminal calls, as raw syscalls: a pseudo-terminal pair, termios (TCGETS /
// TCSETS), window sizes, and the non-blocking fds the relay reads through Bun's event loop.
// Used by src/launch/terminal.ts and src/supervisor/terminal-relay.ts.
import { checkRc } from "../errors.ts";
import { EINTR, EINVAL } from "../errno.ts";
import { C_CONSTANTS, O_CLOEXEC, O_NONBLOCK, S_IFMT, STATX, TIOC } from "./constants.ts";
import { loadNative, NR } from "./ffi.ts";
import { TERMIOS_SIZE } from "./termios.ts";

const native = loadNative();
const O_RDONLY = 0;
const O_RDWR = 2;
/** Never become this terminal's controlling process by opening it. */
const O_NOCTTY = 0o400;
const F_DUPFD_CLOEXEC = 1030;
const ENOTTY = 25;
const WINSIZE_SIZE = 8;

export interface PtyPair {
  readonly master: number;
  readonly slave: number;
}

function open(path: string, flags = O_RDWR): number {
  const cpath = Buffer.from(`${path}\0`);
  return native.syscall(NR.openat, C_CONSTANTS.AT_FDCWD, native.address(cpath), flags | O_NOCTTY | O_CLOEXEC, 0);
}

/** The slave end: TIOCGPTPEER (Linux ≥ 4.13) opens it without a path, so a /dev/pts that
 * is not ours cannot hand us another terminal; older kernels name it with TIOCGPTN. */
function openSlave(master: number): number {
  const peer = native.syscall(NR.ioctl, master, TIOC.GPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (peer !== -EINVAL && peer !== -ENOTTY) return checkRc("ioctl(TIOCGPTPEER)", peer, "/dev/ptmx");
  const n = new Int32Array(1);
  checkRc("ioctl(TIOCGPTN)", native.syscall(NR.ioctl, master, TIOC.GPTN, native.address(n)), "/dev/ptmx");
  return checkRc("open", open(`/dev/pts/${n[0]}`), `/dev/pts/${n[0]}`);
}

/** A fresh pseudo-terminal: both ends close-on-exec, neither our controlling terminal, the
 * slave above fd 2 so that placing it on 0, 1 and 2 never names itself, the master
 * non-blocking so that Bun's event loop, not a thread, waits on it. */
export function openPty(): PtyPair {
  const master = checkRc("open", open("/dev/ptmx", O_RDWR | O_NONBLOCK), "/dev/ptmx");
  try {
    const unlock = new Int32Array(1);
    checkRc("ioctl(TIOCSPTLCK)", native.syscall(NR.ioctl, master, TIOC.SPTLCK, native.address(unlock)), "/dev/ptmx");
    let slave = openSlave(master);
    if (slave <= 2) {
      const high = checkRc("fcntl(F_DUPFD_CLOEXEC)", native.syscall(NR.fcntl, slave, F_DUPFD_CLOEXEC, 3), "pty");
      native.syscall(NR.close, slave);
      slave = high;
    }
    return { master, slave };
  } catch (err) {
    native.syscall(NR.close, master);
    throw err;
  }
}

/** The terminal settings of `fd`, or null when it is not a terminal. */
export function getTermios(fd: number): Uint8Array | null {
  const t = new Uint8Array(TERMIOS_SIZE);
  return native.syscall(NR.ioctl, fd, TIOC.TCGETS, native.address(t)) < 0 ? null : t;
}

export function setTermios(fd: number, termios: Uint8Array): void {
  checkRc("ioctl(TCSETS)", native.syscall(NR.ioctl, fd, TIOC.TCSETS, native.address(termios)), `fd ${fd}`);
}

/** rows, cols, xpixel, ypixel (struct winsize), or null when `fd` is not a terminal. */
export function getWinsize(fd: number): Uint8Array | null {
  const ws = new Uint8Array(WINSIZE_SIZE);
  return native.syscall(NR.ioctl, fd, TIOC.GWINSZ, native.address(ws)) < 0 ? null : ws;
}

export function setWinsize(fd: number, ws: Uint8Array): void {
  checkRc("ioctl(TIOCSWINSZ)", native.syscall(NR.ioctl, fd, TIOC.SWINSZ, native.address(ws)), `fd ${fd}`);
}

const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

/** A second, non-blocking open file description of the terminal or pipe behind `fd` (read
 * side), or null for anything else: O_NONBLOCK on `fd` itself would reach every process that
 * shares it, the caller's shell included. A regular file would restart at offset 0. */
export function reopenNonblocking(fd: number): number | null {
  const stx = new Uint8Array(STATX.STRUCT_SIZE);
  const empty = Buffer.from("\0");
  if (native.syscall(NR.statx, fd, native.address(empty), C_CONSTANTS.AT_EMPTY_PATH, STATX.TYPE, native.address(stx)) < 0) return null;
  const type = new DataView(stx.buffer).getUint16(STATX.MODE_OFFSET, true) & S_IFMT;
  if (type !== S_IFIFO && !(type === S_IFCHR && getTermios(fd) !== null)) return null;
  const copy = open(`/proc/self/fd/${fd}`, O_RDONLY | O_NONBLOCK);
  return copy < 0 ? null : copy;
}

/** write(2) once: the bytes written, or -errno (-EAGAIN when a non-blocking fd is full). */
export function writeSome(fd: number, data: Uint8Array): number {
  for (;;) {
    const n = native.syscall(NR.write, fd, native.address(data), data.length);
    if (n !== -EINTR) return n;
  }
}
