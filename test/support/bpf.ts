// Test support: a classic-BPF interpreter for seccomp programs, written from the kernel's rules
// (not from src/plan/seccomp), with the kernel's own checks: every jump lands inside the program,
// loads stay inside struct seccomp_data, every path ends in a return.

export interface SeccompData {
  nr: number;
  arch: number;
  /** args[i] as 64-bit values; missing ones are 0. */
  args?: readonly bigint[];
}

export interface Outcome {
  /** The 32-bit return value. */
  ret: number;
  /** Instructions executed. */
  steps: number;
}

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_I386 = 0x40000003;

export const RET = { KILL_PROCESS: 0x80000000, TRAP: 0x00030000, ERRNO: 0x00050000, LOG: 0x7ffc0000, ALLOW: 0x7fff0000 };

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export function decodeProgram(bytes: Uint8Array): Insn[] {
  if (bytes.length % 8 !== 0) throw new Error(`program length ${bytes.length} is not a multiple of 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 8 }, (_, i) => ({
    code: view.getUint16(i * 8, true),
    jt: view.getUint8(i * 8 + 2),
    jf: view.getUint8(i * 8 + 3),
    k: view.getUint32(i * 8 + 4, true),
  }));
}

/** struct seccomp_data as the kernel lays it out on a little-endian machine. */
function dataBytes(d: SeccompData): DataView {
  const view = new DataView(new ArrayBuffer(64));
  view.setInt32(0, d.nr | 0, true);
  view.setUint32(4, d.arch, true);
  (d.args ?? []).forEach((a, i) => view.setBigUint64(16 + 8 * i, BigInt.asUintN(64, a), true));
  return view;
}

/** Static checks the kernel's seccomp_check_filter and bpf_check_classic make. */
export function checkProgram(insns: readonly Insn[]): void {
  if (insns.length === 0 || insns.length > 4096) throw new Error(`bad length ${insns.length}`);
  insns.forEach((insn, pc) => {
    const cls = insn.code & 0x07;
    const land = (off: number) => {
      if (pc + 1 + off >= insns.length) throw new Error(`jump out of the program at ${pc}`);
    };
    if (cls === 0x05 /* JMP */) {
      if (insn.code === 0x05) land(insn.k);
      else {
        land(insn.jt);
        land(insn.jf);
      }
    } else if (insn.code === 0x20) {
      if (insn.k % 4 !== 0 || insn.k >= 64) throw new Error(`load outside seccomp_data at ${pc}: ${insn.k}`);
    } else if (insn.code !== 0x06) {
      throw new Error(`opcode 0x${insn.code.toString(16)} at ${pc} not expected in a seccomp filter`);
    }
  });
  if (insns.at(-1)!.code !== 0x06) throw new Error("the program does not end with a return");
}

export function runFilter(bytes: Uint8Array, d: SeccompData): Outcome {
  const insns = decodeProgram(bytes);
  checkProgram(insns);
  const data = dataBytes(d);
  let a = 0;
  for (let pc = 0, steps = 1; pc < insns.length; pc++, steps++) {
    const { code, jt, jf, k } = insns[pc]!;
    switch (code) {
      case 0x20: // ld [k]
        a = data.getUint32(k, true);
        break;
      case 0x15: // jeq #k
        pc += a === k ? jt : jf;
        break;
      case 0x35: // jge #k
        pc += a >= k ? jt : jf;
        break;
      case 0x25: // jgt #k
        pc += a > k ? jt : jf;
        break;
      case 0x45: // jset #k
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case 0x05: // ja
        pc += k;
        break;
      case 0x06: // ret #k
        return { ret: k >>> 0, steps };
      default:
        throw new Error(`unexpected opcode 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error("ran off the end of the program");
}

/** The return value as text: allow, log, trap, kill, errno N. */
export function actionOf(ret: number): string {
  const action = ret & 0xffff0000;
  if (ret === RET.ALLOW) return "allow";
  if (ret === RET.LOG) return "log";
  if (ret === RET.TRAP) return "trap";
  if (ret === RET.KILL_PROCESS) return "kill";
  if (action === RET.ERRNO) return `errno ${ret & 0xffff}`;
  return `0x${ret.toString(16)}`;
}
