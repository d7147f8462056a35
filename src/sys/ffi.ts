// The only importer of bun:ffi. Loads the trampoline shared object, which is embedded in the
// binary, from a sealed memfd. The same fd is later exec'd as the jail's init, so the seal
// matters: nobody, the jail included, can rewrite code that this process has mapped.
import { dlopen, FFIType, ptr, read, type ConvertFns, type FFIFunction } from "bun:ffi";
import { TRAMPOLINE_BASE64 } from "../../build/trampoline.gen.ts";
import { EINTR, EINVAL } from "../errno.ts";
import { SyscallError } from "../errors.ts";
import { F_ADD_SEALS, MFD_ALLOW_SEALING, MFD_CLOEXEC, MFD_EXEC, SEALS_ALL, SYSCALLS } from "./constants.ts";

const LIBC_NAMES = ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.so"];
const I64 = FFIType.i64;

export const ARCH: keyof typeof SYSCALLS = process.arch === "arm64" ? "aarch64" : "x86_64";
export const NR = SYSCALLS[ARCH];

export interface Native {
  /** memfd holding the trampoline; exec'd as the jail's init. CLOEXEC, sealed. */
  readonly imageFd: number;
  /** Raw syscall: the result, or -errno. */
  syscall(nr: number, ...args: (number | bigint)[]): number;
  /** Clones the jail; returns once the child has left this process's memory (exec or exit). */
  spawn(plan: Uint8Array, fds: readonly number[]): number;
  planCheck(plan: Uint8Array): number;
  /** Address of a typed array, for syscalls that take pointers. */
  address(buf: Uint8Array | Int32Array | BigUint64Array | BigInt64Array): number;
}

/** A raw syscall returning its result or -errno (libc's `syscall` wrapped, or nsj_syscall). */
type RawSyscall = (nr: number, ...args: number[]) => number;

/** The C library under whichever name this system gives it, with `symbols` bound; null when
 * none loads (glibc and musl call their libc differently). */
export function openLibc<const S extends Record<string, FFIFunction>>(symbols: S): ConvertFns<S> | null {
  for (const name of LIBC_NAMES) {
    try {
      return dlopen(name, symbols).symbols;
    } catch {
      // try the next name
    }
  }
  return null;
}

function loadLibcSyscall(): RawSyscall {
  const libc = openLibc({
    syscall: { args: [I64, I64, I64, I64], returns: FFIType.i64_fast },
    __errno_location: { args: [], returns: FFIType.ptr },
  });
  if (libc === null) throw new Error(`cannot load the C library (tried ${LIBC_NAMES.join(", ")})`);
  const { syscall, __errno_location } = libc;
  return (nr, a = 0, b = 0, c = 0) => {
    const rc = Number(syscall(nr, a, b, c));
    return rc === -1 ? -read.i32(__errno_location()!, 0) : rc;
  };
}

/** write(2), or pwrite64(2) from `offset`, until every byte is out: 0 or -errno. Shared by
 * the bootstrap (libc's syscall) and linux-sys.ts (the trampoline's). */
export function writeAll(syscall: RawSyscall, fd: number, data: Uint8Array, offset = -1): number {
  for (let done = 0; done < data.length; ) {
    const rest = data.subarray(done);
    const n = offset < 0
      ? syscall(NR.write, fd, ptr(rest), rest.length)
      : syscall(NR.pwrite64, fd, ptr(rest), rest.length, offset + done);
    if (n === -EINTR) continue;
    if (n < 0) return n;
    done += n;
  }
  return 0;
}

function sealedImage(bytes: Uint8Array): number {
  const libcSyscall = loadLibcSyscall();
  const name = Buffer.from("nsjail-init\0");
  let fd = libcSyscall(NR.memfd_create, ptr(name), MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd === -EINVAL) fd = libcSyscall(NR.memfd_create, ptr(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) throw new SyscallError("memfd_create", -fd, "nsjail-init");
  const written = writeAll(libcSyscall, fd, bytes);
  if (written < 0) throw new SyscallError("write", -written, "nsjail-init");
  const rc = libcSyscall(NR.fcntl, fd, F_ADD_SEALS, SEALS_ALL);
  if (rc < 0) throw new SyscallError("fcntl(F_ADD_SEALS)", -rc, "nsjail-init");
  return fd;
}

let native: Native | undefined;

export function loadNative(): Native {
  if (native) return native;
  const imageFd = sealedImage(Buffer.from(TRAMPOLINE_BASE64, "base64"));
  const lib = dlopen(`/proc/self/fd/${imageFd}`, {
    nsj_spawn: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr, I64], returns: FFIType.i64_fast },
    nsj_plan_check: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.i64_fast },
    nsj_syscall: { args: [I64, I64, I64, I64, I64, I64], returns: FFIType.i64_fast },
  });
  const sym = lib.symbols;
  native = {
    imageFd,
    syscall: (nr, a = 0, b = 0, c = 0, d = 0, e = 0) => Number(sym.nsj_syscall(nr, a, b, c, d, e)),
    spawn(plan, fds) {
      const table = Int32Array.from(fds);
      const pid = Number(sym.nsj_spawn(ptr(plan), plan.byteLength, ptr(table), table.length));
      if (pid < 0) throw new SyscallError("clone", -pid);
      return pid;
    },
    planCheck: (plan) => Number(sym.nsj_plan_check(ptr(plan), plan.byteLength)),
    address: (buf) => ptr(buf),
  };
  return native;
}
