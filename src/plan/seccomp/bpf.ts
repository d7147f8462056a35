// Stage 2 (plan): classic BPF as seccomp runs it — the few opcodes the filter uses, the
// seccomp return values, and the sock_filter byte layout the kernel reads.
import type { SeccompAction } from "../../config/seccomp.ts";
import type { SyscallArch } from "../../sys/syscall-names.ts";

/** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }: 8 bytes, native (little) endian. */
export interface Insn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

export const INSN_SIZE = 8;
/** The kernel refuses longer programs (BPF_MAXINSNS). */
export const MAX_INSNS = 4096;
/** jt and jf are u8: a conditional jump skips at most this many instructions. */
export const MAX_COND_JUMP = 255;

export const BPF = {
  LD_W_ABS: 0x20, // A = u32 at seccomp_data + k
  JEQ_K: 0x15, // pc += A == k ? jt : jf
  JGE_K: 0x35, // pc += A >= k ? jt : jf (unsigned)
  JSET_K: 0x45, // pc += A & k ? jt : jf
  JA: 0x05, // pc += k
  RET_K: 0x06, // return k
} as const;

/** struct seccomp_data offsets: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. */
export const DATA_NR = 0;
export const DATA_ARCH = 4;
/** The low 32 bits of args[i] on a little-endian machine (x86_64 and aarch64 both are). */
export const dataArgLow = (i: number): number => 16 + 8 * i;

const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

/**
 * How a `kill` action kills. "signal": SECCOMP_RET_KILL_PROCESS, and the parent sees only
 * SIGSYS. "listener": SECCOMP_RET_USER_NOTIF, so the call waits for the jail's init, which
 * holds the filter's listener, reads the syscall number, kills the process and reports both.
 */
export type KillVia = "signal" | "listener";

/** AUDIT_ARCH_* (linux/audit.h): the ELF machine with the 64-bit and little-endian bits. */
export const AUDIT_ARCH: Record<SyscallArch, number> = { x86_64: 0xc000003e, aarch64: 0xc00000b7 };

/** x32 syscalls are x86_64 numbers with this bit set; they must not slip past the table. */
export const X32_SYSCALL_BIT = 0x40000000;

export const CLONE_NEWUSER = 0x10000000;

/** A seccomp action with its errno (ignored unless kind is "errno"). */
export interface FilterAction {
  readonly kind: SeccompAction;
  readonly errno: number;
}

export function sameAction(a: FilterAction, b: FilterAction): boolean {
  return a.kind === b.kind && (a.kind !== "errno" || a.errno === b.errno);
}

/** allow and log let the call run; the others stop it. */
export function blocks(a: FilterAction): boolean {
  return a.kind !== "allow" && a.kind !== "log";
}

function retValue(a: FilterAction, killVia: KillVia): number {
  switch (a.kind) {
    case "allow":
      return SECCOMP_RET.ALLOW;
    case "log":
      return SECCOMP_RET.LOG;
    case "trap":
      return SECCOMP_RET.TRAP;
    case "kill":
      return killVia === "listener" ? SECCOMP_RET.USER_NOTIF : SECCOMP_RET.KILL_PROCESS;
    case "errno":
      return (SECCOMP_RET.ERRNO | (a.errno & 0xffff)) >>> 0;
  }
}

export const stmt = (code: number, k: number): Insn => ({ code, jt: 0, jf: 0, k: k >>> 0 });
export const jump = (code: number, k: number, jt: number, jf: number): Insn => ({ code, jt, jf, k: k >>> 0 });
export const ret = (a: FilterAction, killVia: KillVia = "signal"): Insn => stmt(BPF.RET_K, retValue(a, killVia));

export function encodeProgram(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(out.buffer);
  insns.forEach((insn, i) => {
    if (insn.jt > MAX_COND_JUMP || insn.jf > MAX_COND_JUMP) throw new Error(`bpf: jump too far at instruction ${i}`);
    view.setUint16(i * INSN_SIZE, insn.code, true);
    view.setUint8(i * INSN_SIZE + 2, insn.jt);
    view.setUint8(i * INSN_SIZE + 3, insn.jf);
    view.setUint32(i * INSN_SIZE + 4, insn.k, true);
  });
  return out;
}
