// Stage 2 (plan): Plan → text, one op a line, for --dry-run and golden tests.
import { CLONE } from "../sys/constants.ts";
import type { OpArg, Plan } from "./types.ts";

function formatArg(arg: OpArg): string {
  if (arg === null) return "NULL";
  if (typeof arg === "string") return JSON.stringify(arg);
  if (typeof arg === "bigint") return `0x${arg.toString(16)}`;
  if (typeof arg === "number") return arg > 0xffff ? `0x${arg.toString(16)}` : String(arg);
  if (arg instanceof Uint8Array) return `<${arg.length} bytes>`;
  if ("slot" in arg) return `<${arg.slot}>`;
  return `[${arg.map((a) => formatArg(a)).join(", ")}]`;
}

export function describeCloneFlags(flags: number): string {
  const names = Object.entries(CLONE).filter(([, bit]) => (flags & bit) !== 0).map(([name]) => `CLONE_${name}`);
  return names.length ? names.join("|") : "0";
}

export function describePlan(plan: Plan): string[] {
  const width = String(plan.ops.length).length;
  const lines = [plan.inplace ? "execveat(nsjail-exec) in nsjail's own process" : `clone3(${describeCloneFlags(plan.cloneFlags)}|CLONE_VM)`];
  plan.ops.forEach((op, i) => {
    if (i === plan.initStart) lines.push("-- in the init's child --");
    const call = `${op.kind}(${op.args.map(formatArg).join(", ")})`;
    const optional = !op.optional ? "" : op.skip > 0 ? ` optional, else skip ${op.skip}` : " optional";
    lines.push(`${String(i).padStart(width)} ${call}${optional}  # [${op.origin.path}] ${op.origin.note}`);
  });
  return lines;
}
