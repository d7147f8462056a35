// Sys over the trampoline's raw syscalls and node:fs.
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { JailError, SyscallError } from "../errors.ts";
import type { Plan } from "../plan/types.ts";
import { C_CONSTANTS, F_SETFD, O_CLOEXEC, WNOHANG } from "./constants.ts";
import { loadNative, NR } from "./ffi.ts";
import type { Pipe, Sys } from "./sys.ts";

const native = loadNative();

function check(call: string, rc: number, target = ""): number {
  if (rc < 0) throw new SyscallError(call, -rc, target);
  return rc;
}

function fsErrno(err: unknown): number {
  const errno = (err as { errno?: number }).errno;
  return typeof errno === "number" ? Math.abs(errno) : 5;
}

class HelperError extends JailError {}

function wait4(pid: number, flags: number): number | null {
  const status = new Int32Array(1);
  for (;;) {
    const rc = native.syscall(NR.wait4, pid, native.address(status), flags, 0);
    if (rc === -4) continue; // EINTR
    if (rc === 0) return null;
    check("wait4", rc, String(pid));
    return status[0]!;
  }
}

export const linuxSys: Sys = {
  pipe(): Pipe {
    const fds = new Int32Array(2);
    check("pipe2", native.syscall(NR.pipe2, native.address(fds), O_CLOEXEC));
    return { read: fds[0]!, write: fds[1]! };
  },
  read(fd, size) {
    const buf = new Uint8Array(size);
    for (;;) {
      const n = native.syscall(NR.read, fd, native.address(buf), size);
      if (n === -4) continue; // EINTR
      return buf.subarray(0, check("read", n));
    }
  },
  write(fd, data) {
    writeSync(fd, data);
  },
  close(fd) {
    native.syscall(NR.close, fd);
  },
  memfd(name, data) {
    const cname = Buffer.from(`${name}\0`);
    const fd = check("memfd_create", native.syscall(NR.memfd_create, native.address(cname), 1), name);
    if (data) writeSync(fd, data);
    return fd;
  },
  pwrite(fd, data) {
    writeSync(fd, data, 0, data.length, 0);
  },
  writeProcFile(path, text) {
    let fd = -1;
    try {
      fd = openSync(path, constants.O_WRONLY);
      writeSync(fd, text);
    } catch (err) {
      throw new SyscallError("write", fsErrno(err), path);
    } finally {
      if (fd >= 0) closeSync(fd);
    }
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
    for (const fd of keepFds) check("fcntl(F_SETFD)", native.syscall(NR.fcntl, fd, F_SETFD, 0), String(fd));
    const strings = argv.map((a) => Buffer.from(`${a}\0`));
    const ptrs = new BigUint64Array([...strings.map((b) => BigInt(native.address(b))), 0n]);
    const envp = new BigUint64Array([0n]);
    const empty = Buffer.from("\0");
    const rc = native.syscall(NR.execveat, imageFd, native.address(empty), native.address(ptrs), native.address(envp), C_CONSTANTS.AT_EMPTY_PATH);
    throw new SyscallError("execveat", -rc, "nsjail-exec");
  },
  spawn(plan, bytes) {
    const { pid, region } = native.spawn(bytes, plan.fds.statusWrite);
    return { pid, release: () => native.release(region) };
  },
  kill(pid, signal) {
    native.syscall(NR.kill, pid, signal);
  },
  wait(pid) {
    return wait4(pid, 0)!;
  },
  tryWait(pid) {
    return wait4(pid, WNOHANG);
  },
};
