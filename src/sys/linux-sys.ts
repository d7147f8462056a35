// Sys over the trampoline's raw syscalls (no errno juggling, no node:fs on the start path).
import { checkRc, JailError, SyscallError } from "../errors.ts";
import { EINTR, EINVAL, errnoName } from "../errno.ts";
import { encodeBytes } from "./bytes.ts";
import { C_CONSTANTS, F_ADD_SEALS, F_SETFD, MFD_ALLOW_SEALING, MFD_CLOEXEC, MFD_NOEXEC_SEAL, O_CLOEXEC, O_NONBLOCK, PR, S_IFDIR, S_IFMT, S_IFREG, SEALS_ALL, STATX, WAITID, WNOHANG } from "./constants.ts";
import { loadNative, NR, writeAll } from "./ffi.ts";
import { NOT_REGULAR, type ChildExit, type Pipe, type ProcessEntry, type Sys } from "./sys.ts";

const native = loadNative();

/** A C string of the bytes `s` stands for (sys/bytes.ts), so paths pass through exactly. */
const cstring = (s: string) => Buffer.from(encodeBytes(`${s}\0`));
const EMPTY = cstring("");
const READ_CHUNK = 65536;
const EISDIR = 21;
const POLLIN = 1;

class HelperError extends JailError {}

/** Shaped like node:fs errors (`code` = errno name), which config/load.ts renders. */
const readError = (path: string, errno: number) => Object.assign(new Error(`${path}: ${errnoName(errno)}`), { code: errnoName(errno) });
const coded = (path: string, code: string) => Object.assign(new Error(`${path}: ${code}`), { code });

/** Whole file from `fd`, or an error coded EFBIG past `maxBytes` (/proc files report size 0, so the
 * bytes are counted, not the size believed). */
function readUpTo(fd: number, path: string, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = new Uint8Array(Math.min(READ_CHUNK, maxBytes + 1 - total));
    const n = native.syscall(NR.read, fd, native.address(chunk), chunk.length);
    if (n === -EINTR) continue;
    if (n < 0) throw readError(path, -n);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > maxBytes) throw coded(path, "EFBIG");
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** struct rusage: ru_utime and ru_stime as {tv_sec, tv_usec}, then fourteen more longs. */
const RUSAGE_LONGS = 18;
const RU = { UTIME_SEC: 0, UTIME_USEC: 1, STIME_SEC: 2, STIME_USEC: 3 } as const;

function wait4(pid: number, flags: number): ChildExit | null {
  const status = new Int32Array(1);
  const ru = new BigInt64Array(RUSAGE_LONGS);
  for (;;) {
    const rc = native.syscall(NR.wait4, pid, native.address(status), flags, native.address(ru));
    if (rc === -EINTR) continue;
    if (rc === 0) return null;
    checkRc("wait4", rc, String(pid));
    const usec = (sec: number, us: number) => Number(ru[sec]!) * 1_000_000 + Number(ru[us]!);
    const cpuUsec = usec(RU.UTIME_SEC, RU.UTIME_USEC) + usec(RU.STIME_SEC, RU.STIME_USEC);
    return { status: status[0]!, cpuUsec };
  }
}

export const linuxSys: Sys = {
  pipe(): Pipe {
    const fds = new Int32Array(2);
    checkRc("pipe2", native.syscall(NR.pipe2, native.address(fds), O_CLOEXEC));
    return { read: fds[0]!, write: fds[1]! };
  },
  read(fd, size) {
    const buf = new Uint8Array(size);
    for (;;) {
      const n = native.syscall(NR.read, fd, native.address(buf), size);
      if (n === -EINTR) continue;
      return buf.subarray(0, checkRc("read", n));
    }
  },
  write(fd, data) {
    checkRc("write", writeAll(native.syscall, fd, data), `fd ${fd}`);
  },
  close(fd) {
    native.syscall(NR.close, fd);
  },
  memfd(name, data) {
    const cname = cstring(name); // held in a local: the kernel reads it during the call
    const flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
    let fd = native.syscall(NR.memfd_create, native.address(cname), flags | MFD_NOEXEC_SEAL);
    if (fd === -EINVAL) fd = native.syscall(NR.memfd_create, native.address(cname), flags); // Linux < 6.3
    checkRc("memfd_create", fd, name);
    checkRc("write", writeAll(native.syscall, fd, data), name);
    // Sealed: a jail handed this fd can never change what the next jail reads from it.
    checkRc("fcntl(F_ADD_SEALS)", native.syscall(NR.fcntl, fd, F_ADD_SEALS, SEALS_ALL), name);
    return fd;
  },
  readFile(path, maxBytes) {
    const cpath = cstring(path);
    const fd = native.syscall(NR.openat, C_CONSTANTS.AT_FDCWD, native.address(cpath), O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw readError(path, -fd);
    try {
      const stx = new Uint8Array(STATX.STRUCT_SIZE);
      const rc = native.syscall(NR.statx, fd, native.address(EMPTY), C_CONSTANTS.AT_EMPTY_PATH, STATX.TYPE, native.address(stx));
      if (rc < 0) throw readError(path, -rc);
      const type = new DataView(stx.buffer).getUint16(STATX.MODE_OFFSET, true) & S_IFMT;
      if (type === S_IFDIR) throw readError(path, EISDIR);
      if (type !== S_IFREG) throw coded(path, NOT_REGULAR);
      return readUpTo(fd, path, maxBytes);
    } finally {
      native.syscall(NR.close, fd);
    }
  },
  writeProcFile(path, text) {
    const cpath = cstring(path);
    const fd = checkRc("open", native.syscall(NR.openat, C_CONSTANTS.AT_FDCWD, native.address(cpath), C_CONSTANTS.O_WRONLY | O_CLOEXEC), path);
    // One write(2): the kernel parses an id map only from a single write.
    const rc = writeAll(native.syscall, fd, Buffer.from(text));
    native.syscall(NR.close, fd);
    checkRc("write", rc, path);
  },
  runHelper(file, args) {
    const hint = "(needs package uidmap and entries in /etc/subuid, /etc/subgid)";
    let why: string;
    try {
      const r = Bun.spawnSync([file, ...args], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
      if (r.success) return;
      why = r.stderr.toString().trim().split("\n").pop() || `exited with ${r.exitCode}`;
    } catch {
      why = "not found in PATH";
    }
    throw new HelperError(`${file} ${args.join(" ")}: ${why} ${hint}`);
  },
  execImage(imageFd, argv, keepFds) {
    for (const fd of keepFds) checkRc("fcntl(F_SETFD)", native.syscall(NR.fcntl, fd, F_SETFD, 0), String(fd));
    const strings = argv.map(cstring);
    const ptrs = new BigUint64Array([...strings.map((b) => BigInt(native.address(b))), 0n]);
    const envp = new BigUint64Array([0n]);
    const empty = cstring("");
    const rc = native.syscall(NR.execveat, imageFd, native.address(empty), native.address(ptrs), native.address(envp), C_CONSTANTS.AT_EMPTY_PATH);
    throw new SyscallError("execveat", -rc, "nsjail-exec");
  },
  spawn(bytes, fds) {
    return native.spawn(bytes, fds);
  },
  setDumpable(dumpable) {
    checkRc("prctl(PR_SET_DUMPABLE)", native.syscall(NR.prctl, PR.SET_DUMPABLE, dumpable ? 1 : 0));
  },
  kill(pid, signal) {
    native.syscall(NR.kill, pid, signal);
  },
  fdTarget(fd) {
    try {
      return (require("node:fs") as typeof import("node:fs")).readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return null;
    }
  },
  setChildSubreaper() {
    checkRc("prctl(PR_SET_CHILD_SUBREAPER)", native.syscall(NR.prctl, PR.SET_CHILD_SUBREAPER, 1));
  },
  listProcesses() {
    const fs = require("node:fs") as typeof import("node:fs");
    const table: ProcessEntry[] = [];
    for (const name of fs.readdirSync("/proc")) {
      if (name < "0" || name > "9") continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${name}/stat`, "latin1");
      } catch {
        continue; // gone while we looked
      }
      // "pid (comm) S ppid …": comm may hold spaces and parentheses, so parse after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (ppid !== undefined) table.push({ pid: Number(name), ppid: Number(ppid), zombie: state === "Z" });
    }
    return table;
  },
  heardSignals(pid) {
    let status: string;
    try {
      status = new TextDecoder().decode(this.readFile(`/proc/${pid}/status`, 1 << 16));
    } catch {
      return 0n; // gone: it hears nothing
    }
    const hex = (re: RegExp) => BigInt(`0x${re.exec(status)?.[1] ?? "0"}`);
    return hex(/^SigCgt:\s*([0-9a-f]+)/m) | hex(/^SigBlk:\s*([0-9a-f]+)/m);
  },
  wait(pid) {
    return wait4(pid, 0)!.status;
  },
  peekExited() {
    const info = new Uint8Array(WAITID.SIGINFO_SIZE);
    const rc = native.syscall(NR.waitid, WAITID.P_ALL, 0, native.address(info), WAITID.WEXITED | WNOHANG | WAITID.WNOWAIT, 0);
    const pid = new DataView(info.buffer).getInt32(WAITID.SI_PID_OFFSET, true);
    return rc < 0 || pid <= 0 ? null : pid; // ECHILD: no children at all
  },
  tryWait(pid) {
    return wait4(pid, WNOHANG);
  },
  readable(fd) {
    // struct pollfd { int fd; short events, revents; } with POLLIN, and a zero timeout.
    const pfd = new Int32Array([fd, POLLIN]);
    const now = new BigUint64Array(2);
    const n = native.syscall(NR.ppoll, native.address(pfd), 1, native.address(now), 0, 8);
    return n > 0;
  },
};
