// The parent's AF_UNIX datagram calls, as raw syscalls: a socketpair, receiving one fd sent
// with SCM_RIGHTS, and sending one datagram to a path or an abstract `@name` (how
// NOTIFY_SOCKET names systemd's socket). Used by src/supervisor/notify.ts.
import { checkRc, SyscallError } from "../errors.ts";
import { encodeBytes } from "./bytes.ts";
import { C_CONSTANTS, UNIX_MSG } from "./constants.ts";
import { loadNative, NR } from "./ffi.ts";

const native = loadNative();
const { AF_UNIX, SOCK_DGRAM, SOCK_CLOEXEC, SOL_SOCKET, SCM_RIGHTS, MSG_NOSIGNAL, MSG_CMSG_CLOEXEC } = C_CONSTANTS;
const { DONTWAIT: MSG_DONTWAIT, SUN_PATH: SUN_PATH_MAX, MSGHDR_SIZE, CMSG_HEADER } = UNIX_MSG;
const F_GETFL = 3;
const F_SETFL = 4;
const F_SETOWN = 8;
const F_SETSIG = 10;
const O_ASYNC = 0o20000;
const SIGURG = 23;
const MSG_TRUNC = 0x20;
/** cmsghdr + one int, padded to 8: CMSG_SPACE(sizeof(int)). */
const CMSG_SPACE_INT = CMSG_HEADER + 8;

/** A connected pair of close-on-exec datagram sockets. */
export function socketPair(): [number, number] {
  const fds = new Int32Array(2);
  checkRc("socketpair", native.syscall(NR.socketpair, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, native.address(fds)), "AF_UNIX");
  return [fds[0]!, fds[1]!];
}

/** One fd that arrived on `fd` with SCM_RIGHTS (close-on-exec), or null when none is
 * waiting. Never blocks. */
export function receiveFd(fd: number): number | null {
  const byte = new Uint8Array(1);
  const iov = new BigUint64Array([BigInt(native.address(byte)), 1n]);
  const control = new Uint8Array(CMSG_SPACE_INT);
  const msg = new BigUint64Array(MSGHDR_SIZE / 8);
  msg[2] = BigInt(native.address(iov));
  msg[3] = 1n;
  msg[4] = BigInt(native.address(control));
  msg[5] = BigInt(CMSG_SPACE_INT);
  const rc = native.syscall(NR.recvmsg, fd, native.address(msg), MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (rc < 0) return null;
  const cmsg = new DataView(control.buffer);
  const received = Number(msg[5]) >= 20 && cmsg.getInt32(8, true) === SOL_SOCKET && cmsg.getInt32(12, true) === SCM_RIGHTS;
  return received ? cmsg.getInt32(16, true) : null;
}

/** SIGURG whenever a datagram arrives on `fd` (O_ASYNC, F_SETOWN, F_SETSIG): the event loop
 * hears of it with no thread and no timer, and a late one after the listener is gone does
 * nothing, as SIGURG is ignored by default. */
export function signalOnInput(fd: number): void {
  checkRc("fcntl(F_SETSIG)", native.syscall(NR.fcntl, fd, F_SETSIG, SIGURG), `fd ${fd}`);
  checkRc("fcntl(F_SETOWN)", native.syscall(NR.fcntl, fd, F_SETOWN, process.pid), `fd ${fd}`);
  const flags = checkRc("fcntl(F_GETFL)", native.syscall(NR.fcntl, fd, F_GETFL), `fd ${fd}`);
  checkRc("fcntl(F_SETFL)", native.syscall(NR.fcntl, fd, F_SETFL, flags | O_ASYNC), `fd ${fd}`);
}

/** One datagram waiting on `fd`, or null when none is. A datagram longer than `max` comes
 * back as its length alone (MSG_TRUNC), so the caller can tell and drop it. Never blocks. */
export function receiveDatagram(fd: number, max: number): Uint8Array | number | null {
  const buf = new Uint8Array(max);
  const iov = new BigUint64Array([BigInt(native.address(buf)), BigInt(max)]);
  const msg = new BigUint64Array(MSGHDR_SIZE / 8);
  msg[2] = BigInt(native.address(iov));
  msg[3] = 1n;
  const n = native.syscall(NR.recvmsg, fd, native.address(msg), MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0) return null;
  return n > max ? n : buf.subarray(0, n);
}

/** sockaddr_un for `address`: a filesystem path, or `@name` for the abstract namespace. */
function sockaddr(address: string): Uint8Array | null {
  const path = encodeBytes(address.startsWith("@") ? `\0${address.slice(1)}` : address);
  if (path.length === 0 || path.length >= SUN_PATH_MAX || (path[0] !== 0 && path[0] !== 0x2f)) return null;
  const addr = new Uint8Array(2 + path.length + (path[0] === 0 ? 0 : 1));
  new DataView(addr.buffer).setUint16(0, AF_UNIX, true);
  addr.set(path, 2);
  return addr;
}

/** True when `address` is a socket address this module can send to. */
export function isUnixAddress(address: string): boolean {
  return sockaddr(address) !== null;
}

/** Sends `data` as one datagram to `address`; throws a SyscallError naming it. sendmsg
 * carries the address in its header (sendto would need a sixth argument). */
export function sendDatagram(address: string, data: Uint8Array): void {
  const addr = sockaddr(address);
  if (addr === null) throw new SyscallError("sendmsg", C_CONSTANTS.EINVAL, address);
  const iov = new BigUint64Array([BigInt(native.address(data)), BigInt(data.length)]);
  const msg = new BigUint64Array(MSGHDR_SIZE / 8);
  msg[0] = BigInt(native.address(addr));
  msg[1] = BigInt(addr.length);
  msg[2] = BigInt(native.address(iov));
  msg[3] = 1n;
  const fd = checkRc("socket", native.syscall(NR.socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), "AF_UNIX");
  try {
    checkRc("sendmsg", native.syscall(NR.sendmsg, fd, native.address(msg), MSG_NOSIGNAL), address);
  } finally {
    native.syscall(NR.close, fd);
  }
}
