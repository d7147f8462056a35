// Ground floor (sys): UNIX stream sockets with what Bun has no API for — the peer's credentials
// (SO_PEERCRED, SO_PEERGROUPS) and fds passed as SCM_RIGHTS — over raw sendmsg/recvmsg.
// The setns socket's server (supervisor/setns-server.ts) and `nsjail join` use it.
import { EINTR } from "../errno.ts";
import { checkRc, SyscallError } from "../errors.ts";
import { encodeBytes } from "./bytes.ts";
import { C_CONSTANTS, UNIX_MSG } from "./constants.ts";
import { loadNative, NR } from "./ffi.ts";

export interface PeerCred {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

export interface Received {
  readonly data: Uint8Array;
  /** Close-on-exec fds that came with the bytes. */
  readonly fds: readonly number[];
}

export interface UnixSockets {
  /** A connected, blocking, close-on-exec stream socket; throws SyscallError("connect"). */
  connect(path: string): number;
  /** Who is at the other end: for a server, the client; for a client, whoever called listen(). */
  peerCred(fd: number): PeerCred;
  /** The peer's supplementary groups (Linux ≥ 4.13; empty where the kernel cannot tell). */
  peerGroups(fd: number): number[];
  /** One sendmsg carrying `fds`, never blocking and never raising SIGPIPE: bytes sent, or -errno. */
  sendWithFds(fd: number, data: Uint8Array, fds: readonly number[]): number;
  /** One recvmsg of up to `size` bytes and `maxFds` fds; empty data is EOF. Throws on error
   * (EAGAIN after the receive timeout), and when more fds came than `maxFds` (they are closed). */
  receive(fd: number, size: number, maxFds: number): Received;
  /** SO_RCVTIMEO: a receive gives up with EAGAIN after `ms`. */
  setReceiveTimeout(fd: number, ms: number): void;
  close(fd: number): void;
}

const { AF_UNIX, SOCK_CLOEXEC, SOL_SOCKET, SCM_RIGHTS, MSG_NOSIGNAL, MSG_CMSG_CLOEXEC } = C_CONSTANTS;
const { DONTWAIT: MSG_DONTWAIT, SUN_PATH, MSGHDR_SIZE, CMSG_HEADER } = UNIX_MSG;
const SOCK_STREAM = 1;
const SO_PEERCRED = 17;
const SO_RCVTIMEO = 20;
const SO_PEERGROUPS = 59;
const MSG_CTRUNC = 0x8;
const ERANGE = 34;
const MAX_GROUPS = 65536;

const native = loadNative();
const addr = (b: Uint8Array) => BigInt(native.address(b));

/** A socklen_t in memory the kernel can write back to. */
const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);

const cmsgSpace = (fds: number) => CMSG_HEADER + ((fds * 4 + 7) & ~7);

/** A msghdr over one data buffer and a control buffer of `control` bytes (0: none). */
function messageHeader(data: Uint8Array, control: Uint8Array | null): { msg: Uint8Array; iov: Uint8Array } {
  const iov = new Uint8Array(16);
  const iv = new DataView(iov.buffer);
  iv.setBigUint64(0, addr(data), true);
  iv.setBigUint64(8, BigInt(data.length), true);
  const msg = new Uint8Array(MSGHDR_SIZE);
  const mv = new DataView(msg.buffer);
  mv.setBigUint64(16, addr(iov), true);
  mv.setBigUint64(24, 1n, true);
  if (control !== null) {
    mv.setBigUint64(32, addr(control), true);
    mv.setBigUint64(40, BigInt(control.length), true);
  }
  return { msg, iov };
}

/** The fds of every SCM_RIGHTS message in a received control buffer of `length` bytes. */
function rightsIn(control: Uint8Array, length: number): number[] {
  const view = new DataView(control.buffer);
  const fds: number[] = [];
  for (let at = 0; at + CMSG_HEADER <= length; ) {
    const len = Number(view.getBigUint64(at, true));
    if (len < CMSG_HEADER) break;
    if (view.getInt32(at + 8, true) === SOL_SOCKET && view.getInt32(at + 12, true) === SCM_RIGHTS) {
      for (let k = at + CMSG_HEADER; k + 4 <= Math.min(at + len, length); k += 4) fds.push(view.getInt32(k, true));
    }
    at += (len + 7) & ~7;
  }
  return fds;
}

export const unixSockets: UnixSockets = {
  connect(path) {
    const bytes = encodeBytes(path);
    if (bytes.length >= SUN_PATH) throw new SyscallError("connect", 36 /* ENAMETOOLONG */, path);
    const sa = new Uint8Array(2 + SUN_PATH);
    sa[0] = AF_UNIX;
    sa.set(bytes, 2);
    const fd = checkRc("socket", native.syscall(NR.socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    let rc: number;
    do rc = native.syscall(NR.connect, fd, native.address(sa), 2 + bytes.length + 1);
    while (rc === -EINTR);
    if (rc < 0) native.syscall(NR.close, fd);
    checkRc("connect", rc, path);
    return fd;
  },
  peerCred(fd) {
    const cred = new Uint8Array(12);
    const len = u32(12);
    checkRc("getsockopt(SO_PEERCRED)", native.syscall(NR.getsockopt, fd, SOL_SOCKET, SO_PEERCRED, native.address(cred), native.address(len)));
    const v = new DataView(cred.buffer);
    return { pid: v.getInt32(0, true), uid: v.getUint32(4, true), gid: v.getUint32(8, true) };
  },
  peerGroups(fd) {
    for (let count = 64; count <= MAX_GROUPS; count *= 16) {
      const groups = new Uint8Array(count * 4);
      const len = u32(groups.length);
      const rc = native.syscall(NR.getsockopt, fd, SOL_SOCKET, SO_PEERGROUPS, native.address(groups), native.address(len));
      if (rc === -ERANGE) continue;
      if (rc < 0) return [];
      const got = new DataView(len.buffer).getUint32(0, true) / 4;
      return [...new Uint32Array(groups.buffer, 0, got)];
    }
    return [];
  },
  sendWithFds(fd, data, fds) {
    const control = fds.length === 0 ? null : new Uint8Array(cmsgSpace(fds.length));
    if (control !== null) {
      const cv = new DataView(control.buffer);
      cv.setBigUint64(0, BigInt(CMSG_HEADER + fds.length * 4), true);
      cv.setInt32(8, SOL_SOCKET, true);
      cv.setInt32(12, SCM_RIGHTS, true);
      fds.forEach((f, i) => cv.setInt32(CMSG_HEADER + i * 4, f, true));
    }
    const { msg, iov } = messageHeader(data, control);
    let rc: number;
    do rc = native.syscall(NR.sendmsg, fd, native.address(msg), MSG_DONTWAIT | MSG_NOSIGNAL);
    while (rc === -EINTR);
    void iov; // msg points at it: kept alive until the call has returned
    return rc;
  },
  receive(fd, size, maxFds) {
    const data = new Uint8Array(size);
    // Room for one more fd than expected, so that a peer sending extra ones is noticed.
    const control = new Uint8Array(cmsgSpace(maxFds + 1));
    const { msg, iov } = messageHeader(data, control);
    let n: number;
    do n = native.syscall(NR.recvmsg, fd, native.address(msg), MSG_CMSG_CLOEXEC);
    while (n === -EINTR);
    void iov; // as in sendWithFds
    checkRc("recvmsg", n);
    const mv = new DataView(msg.buffer);
    const fds = rightsIn(control, Number(mv.getBigUint64(40, true)));
    if ((mv.getInt32(48, true) & MSG_CTRUNC) !== 0 || fds.length > maxFds) {
      for (const f of fds) native.syscall(NR.close, f);
      throw new SyscallError("recvmsg", 7 /* E2BIG */, `more than ${maxFds} fds`);
    }
    return { data: data.subarray(0, n), fds };
  },
  setReceiveTimeout(fd, ms) {
    const tv = new BigInt64Array([BigInt(Math.floor(ms / 1000)), BigInt((ms % 1000) * 1000)]);
    const bytes = new Uint8Array(tv.buffer);
    checkRc("setsockopt(SO_RCVTIMEO)", native.syscall(NR.setsockopt, fd, SOL_SOCKET, SO_RCVTIMEO, native.address(bytes), 16));
  },
  close: (fd) => void native.syscall(NR.close, fd),
};
