// Stage 2 (plan): SeccompPolicy + architecture → the seccomp BPF program, as the bytes of a
// sock_filter array that seccomp(SECCOMP_SET_MODE_FILTER) installs.
//
// Layout:  arch check → kill on mismatch (an i386 or AArch32 call must not be read as a
//          64-bit number); x86_64: x32 numbers → kill; then a binary search over the syscall
//          number down to one return (or a CLONE_NEWUSER test) per range of numbers. The two
//          checks always kill by signal: their numbers are not of this architecture's table,
//          so a listener could not name them.
// A search keeps every call at ~log2(rules) comparisons however long the lists grow, and
// relative jumps stay within the u8 jt/jf fields by going through `ja` (32-bit) when a
// subtree is longer than 255 instructions.
import type { SeccompPolicy } from "../../config/seccomp.ts";
import type { SyscallArch } from "../../sys/syscall-names.ts";
import {
  AUDIT_ARCH, BPF, CLONE_NEWUSER, DATA_ARCH, DATA_NR, MAX_COND_JUMP, MAX_INSNS, X32_SYSCALL_BIT,
  dataArgLow, encodeProgram, jump, ret, sameAction, stmt, type FilterAction, type Insn, type KillVia,
} from "./bpf.ts";
import { resolveRules, type ResolvedFilter } from "./rules.ts";

const KILL: FilterAction = { kind: "kill", errno: 0 };

/** A run of syscall numbers [from, next range's from) that share one outcome. */
interface Range {
  readonly from: number;
  readonly action: FilterAction;
  readonly newUserAction: FilterAction | null;
}

/** Every u32 number falls in exactly one range; neighbours with one plain outcome merge. */
function ranges(filter: ResolvedFilter): Range[] {
  const out: Range[] = [];
  const push = (r: Range) => {
    // The default range after a rule is empty when the next rule follows at once.
    if (out.at(-1)?.from === r.from) out.pop();
    const last = out.at(-1);
    const merges = last !== undefined && last.newUserAction === null && r.newUserAction === null && sameAction(last.action, r.action);
    if (!merges) out.push(r);
  };
  const fallback = { action: filter.defaultAction, newUserAction: null };
  push({ from: 0, ...fallback });
  for (const rule of filter.rules) {
    push({ from: rule.nr, action: rule.action, newUserAction: rule.newUserAction });
    push({ from: rule.nr + 1, ...fallback });
  }
  return out;
}

/** The code of one range: return its action, or test the clone flags first. */
function leaf(r: Range, killVia: KillVia): Insn[] {
  if (r.newUserAction === null) return [ret(r.action, killVia)];
  return [stmt(BPF.LD_W_ABS, dataArgLow(0)), jump(BPF.JSET_K, CLONE_NEWUSER, 0, 1), ret(r.newUserAction, killVia), ret(r.action, killVia)];
}

/** Binary search over rs (sorted, non-empty): `nr >= pivot` goes right, the rest left. */
function search(rs: readonly Range[], killVia: KillVia): Insn[] {
  if (rs.length === 1) return leaf(rs[0]!, killVia);
  const mid = rs.length >> 1;
  const left = search(rs.slice(0, mid), killVia);
  const right = search(rs.slice(mid), killVia);
  const pivot = rs[mid]!.from;
  if (left.length <= MAX_COND_JUMP) return [jump(BPF.JGE_K, pivot, left.length, 0), ...left, ...right];
  // Too far for jt: true falls onto a ja over the left subtree, false skips the ja.
  return [jump(BPF.JGE_K, pivot, 0, 1), stmt(BPF.JA, left.length), ...left, ...right];
}

function prologue(arch: SyscallArch): Insn[] {
  const insns = [stmt(BPF.LD_W_ABS, DATA_ARCH), jump(BPF.JEQ_K, AUDIT_ARCH[arch], 1, 0), ret(KILL), stmt(BPF.LD_W_ABS, DATA_NR)];
  if (arch === "x86_64") {
    // nr -1 is not x32: a tracer sets it to skip a call, and the kernel answers ENOSYS.
    insns.push(jump(BPF.JGE_K, X32_SYSCALL_BIT, 0, 2), jump(BPF.JEQ_K, 0xffffffff, 1, 0), ret(KILL));
  }
  return insns;
}

export function buildFilter(filter: ResolvedFilter, killVia: KillVia = "signal"): Uint8Array {
  const insns = [...prologue(filter.arch), ...search(ranges(filter), killVia)];
  if (insns.length > MAX_INSNS) throw new Error(`seccomp filter for ${filter.arch}: ${insns.length} instructions (the kernel takes ${MAX_INSNS})`);
  return encodeProgram(insns);
}

/** The filter program for `arch`: 8 bytes per instruction, ready for SECCOMP_SET_MODE_FILTER. */
export function compileFilter(policy: SeccompPolicy, arch: SyscallArch, killVia: KillVia = "signal"): Uint8Array {
  return buildFilter(resolveRules(policy, arch), killVia);
}

/** Whether any syscall of the policy is killed: only then is a listener worth having. */
export function killsAny(policy: SeccompPolicy): boolean {
  return policy.defaultAction === "kill" || (policy.denyAction === "kill" && policy.deny.length > 0);
}
