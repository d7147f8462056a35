// Stage 2 (plan): Plan → text, one op a line, for --dry-run and golden tests, and → JSON for
// `--dry-run --json`. Flags, prctl options, capabilities and signals are printed by name.
import { capName } from "../config/capabilities.ts";
import { RLIMIT, RLIM_INFINITY, PRIO_PROCESS } from "./limits.ts";
import {
  CLONE, CLOSE_RANGE_CLOEXEC, F_SETFD, MAX_FD, MNT, MS, PR, PR_CAP_AMBIENT_CLEAR_ALL, PR_CAP_AMBIENT_LOWER,
  PR_CAP_AMBIENT_RAISE, SECCOMP_FILTER_FLAG, TIOC,
} from "../sys/constants.ts";
import {
  AT_EMPTY_PATH, AT_RECURSIVE, FSCONFIG, FSMOUNT_CLOEXEC, FSOPEN_CLOEXEC, MOUNT_ATTR, MOVE_MOUNT, O, OPEN_TREE, RESOLVE,
} from "../sys/fs-constants.ts";
import { signalName } from "../sys/signals.ts";
import type { OpKind } from "./ops.ts";
import type { Op, OpArg, Plan } from "./types.ts";

function formatArg(arg: OpArg): string {
  if (arg === null) return "NULL";
  if (typeof arg === "string") return JSON.stringify(arg);
  if (typeof arg === "bigint") return `0x${arg.toString(16)}`;
  if (typeof arg === "number") return arg > 0xffff ? `0x${arg.toString(16)}` : String(arg);
  if (arg instanceof Uint8Array) return `<${arg.length} bytes>`;
  if ("slot" in arg) return `<${arg.slot}>`;
  return `[${arg.map((a) => formatArg(a)).join(", ")}]`;
}

/** `bits` as `PREFIX_A|PREFIX_B`, with any bits no name covers appended in hex; 0 stays 0. */
function flagNames(bits: number, table: Readonly<Record<string, number>>, prefix: string): string {
  const names: string[] = [];
  let left = bits;
  for (const [name, bit] of Object.entries(table)) {
    if ((bits & bit) === bit && bit !== 0) {
      names.push(`${prefix}${name}`);
      left &= ~bit;
    }
  }
  if (left !== 0) names.push(`0x${(left >>> 0).toString(16)}`);
  return names.length ? names.join("|") : "0";
}

/** A name for `value`, if `table` has one. */
function nameOf(value: number, table: Readonly<Record<string, number>>, prefix: string): string | undefined {
  const name = Object.keys(table).find((k) => table[k] === value);
  return name === undefined ? undefined : `${prefix}${name}`;
}

/** A capability set as names: `CAP_NET_RAW|CAP_SYS_ADMIN`, or 0. */
function capMask(mask: bigint): string {
  const names: string[] = [];
  for (let cap = 0; mask >> BigInt(cap) !== 0n; cap++) if ((mask >> BigInt(cap)) & 1n) names.push(capName(cap));
  return names.length ? names.join("|") : "0";
}

const num = (a: OpArg | undefined) => (typeof a === "number" ? a : Number(a));
const octal = (a: OpArg | undefined) => (num(a) === 0 ? "0" : `0${num(a).toString(8)}`);
const words = (a: OpArg | undefined) => (Array.isArray(a) ? a.map(num) : []);

/** struct open_how [flags, mode, resolve]. */
function openHow(how: OpArg | undefined): string {
  const [flags = 0, mode = 0, resolve = 0] = words(how);
  return `[${flagNames(flags, O, "O_")}, ${octal(mode)}, ${flagNames(resolve, RESOLVE, "RESOLVE_")}]`;
}

/** struct mount_attr [attr_set, attr_clr, propagation, userns_fd]. */
function mountAttr(attr: OpArg | undefined): string {
  const [set = 0, clr = 0, propagation = 0, userns = 0] = words(attr);
  const attrs = (bits: number) => flagNames(bits, MOUNT_ATTR, "MOUNT_ATTR_");
  return `[${attrs(set)}, ${attrs(clr)}, ${flagNames(propagation, MS, "MS_")}, ${userns}]`;
}

/** prctl's first argument by name, and the second and third where the option gives them one. */
function prctlArgs([option, arg2, arg3]: readonly OpArg[]): (string | undefined)[] {
  const o = num(option);
  const name = nameOf(o, PR, "PR_");
  if (o === PR.SET_PDEATHSIG) return [name, signalName(num(arg2))];
  if (o === PR.CAPBSET_DROP) return [name, capName(num(arg2))];
  if (o === PR.CAP_AMBIENT) {
    const sub = { RAISE: PR_CAP_AMBIENT_RAISE, LOWER: PR_CAP_AMBIENT_LOWER, CLEAR_ALL: PR_CAP_AMBIENT_CLEAR_ALL };
    const raises = num(arg2) === PR_CAP_AMBIENT_RAISE || num(arg2) === PR_CAP_AMBIENT_LOWER;
    return [name, nameOf(num(arg2), sub, "PR_CAP_AMBIENT_"), raises ? capName(num(arg3)) : undefined];
  }
  return [name];
}

/**
 * Per op kind, a symbolic form of some arguments (undefined: the plain form). An op kind
 * with no entry prints every argument plainly; add one when a number means a name.
 */
const SYMBOLIC: Partial<Record<OpKind, (args: readonly OpArg[]) => (string | undefined)[]>> = {
  prctl: prctlArgs,
  mount: (a) => [undefined, undefined, undefined, flagNames(num(a[3]), MS, "MS_")],
  umount2: (a) => [undefined, flagNames(num(a[1]), MNT, "MNT_")],
  unshare: (a) => [describeCloneFlags(num(a[0]))],
  close_range: (a) => [undefined, num(a[1]) === MAX_FD ? "~0U" : undefined, flagNames(num(a[2]), { CLOEXEC: CLOSE_RANGE_CLOEXEC }, "CLOSE_RANGE_")],
  fcntl: (a) => [undefined, nameOf(num(a[1]), { SETFD: F_SETFD }, "F_")],
  setrlimit: (a) => [nameOf(num(a[0]), RLIMIT, "RLIMIT_")?.toUpperCase(), ...a.slice(1).map((b) => (b === RLIM_INFINITY ? "RLIM_INFINITY" : undefined))],
  setpriority: (a) => [nameOf(num(a[0]), { PROCESS: PRIO_PROCESS }, "PRIO_")],
  capset: (a) => a.map((m) => capMask(BigInt(m as number | bigint))),
  mkdir: (a) => [undefined, octal(a[1])],
  seccomp: (a) => [undefined, flagNames(num(a[1]), SECCOMP_FILTER_FLAG, "SECCOMP_FILTER_FLAG_")],
  ioctl: (a) => [undefined, nameOf(num(a[1]), { SCTTY: TIOC.SCTTY }, "TIOC")],
  // The file-system ops (src/plan/fs/): flag words, modes and the structs openat2 and
  // mount_setattr take, by name.
  open_tree: (a) => [undefined, undefined, undefined, flagNames(num(a[3]), { OPEN_TREE_CLONE: OPEN_TREE.CLONE, OPEN_TREE_CLOEXEC: OPEN_TREE.CLOEXEC, AT_RECURSIVE, AT_EMPTY_PATH }, "")],
  move_mount: (a) => [undefined, undefined, undefined, undefined, flagNames(num(a[4]), MOVE_MOUNT, "MOVE_MOUNT_")],
  openat2: (a) => [undefined, undefined, undefined, openHow(a[3])],
  fsopen: (a) => [undefined, undefined, flagNames(num(a[2]), { CLOEXEC: FSOPEN_CLOEXEC }, "FSOPEN_")],
  fsconfig: (a) => [undefined, nameOf(num(a[1]), FSCONFIG, "FSCONFIG_")],
  fsmount: (a) => [undefined, undefined, flagNames(num(a[2]), { CLOEXEC: FSMOUNT_CLOEXEC }, "FSMOUNT_"), flagNames(num(a[3]), MOUNT_ATTR, "MOUNT_ATTR_")],
  mount_setattr: (a) => [undefined, undefined, flagNames(num(a[2]), { AT_RECURSIVE, AT_EMPTY_PATH }, ""), mountAttr(a[3])],
  mkdirat: (a) => [undefined, undefined, octal(a[2])],
  fchmodat: (a) => [undefined, undefined, octal(a[2])],
};

/** Each argument of `op` as --dry-run prints it. */
function argTexts(op: Op): string[] {
  const symbolic = SYMBOLIC[op.kind]?.(op.args) ?? [];
  return op.args.map((a, i) => symbolic[i] ?? formatArg(a));
}

export function describeCloneFlags(flags: number): string {
  return flagNames(flags, CLONE, "CLONE_");
}

function headLine(plan: Plan): string {
  return plan.inplace ? "execveat(nsjail-exec) in nsjail's own process" : `clone3(${describeCloneFlags(plan.cloneFlags)}|CLONE_VM|CLONE_VFORK)`;
}

export function describePlan(plan: Plan): string[] {
  const width = String(plan.ops.length).length;
  const lines = [headLine(plan)];
  plan.ops.forEach((op, i) => {
    if (i === plan.initStart) lines.push("-- in the init's child --");
    const call = `${op.kind}(${argTexts(op).join(", ")})`;
    const optional = !op.optional ? "" : op.skip > 0 ? ` optional, else skip ${op.skip}` : " optional";
    lines.push(`${String(i).padStart(width)} ${call}${optional}  # [${op.origin.path}] ${op.origin.note}`);
    for (const line of op.detail ?? []) lines.push(`${" ".repeat(width)}   ${line}`);
  });
  return lines;
}

/** An argument as JSON: integers past 2^53 (bigint) as decimal strings, bytes as base64. */
function argJson(arg: OpArg): unknown {
  if (typeof arg === "bigint") return arg.toString();
  if (arg instanceof Uint8Array) return { bytes: arg.length, base64: Buffer.from(arg).toString("base64") };
  return arg;
}

/** The plan as one JSON-ready object: the same ops and words as describePlan(). */
export function planJson(plan: Plan): object {
  return {
    head: headLine(plan),
    inplace: plan.inplace,
    cloneFlags: plan.inplace ? [] : describeCloneFlags(plan.cloneFlags).split("|"),
    initStart: plan.initStart,
    ops: plan.ops.map((op, index) => ({
      index,
      kind: op.kind,
      args: op.args.map(argJson),
      text: `${op.kind}(${argTexts(op).join(", ")})`,
      optional: op.optional,
      skip: op.skip,
      inInit: plan.initStart !== null && index >= plan.initStart,
      path: op.origin.path,
      note: op.origin.note,
    })),
  };
}
