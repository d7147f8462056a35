// Stage 2 (plan): the seccomp filter as text for --dry-run, one line per rule, from the same
// resolved rules the program is compiled from.
import type { SeccompPolicy } from "../../config/seccomp.ts";
import { errnoSymbol, type SyscallArch } from "../../sys/syscall-names.ts";
import { INSN_SIZE, X32_SYSCALL_BIT, type FilterAction, type KillVia } from "./bpf.ts";
import { buildFilter } from "./compile.ts";
import { resolveRules, type RuleSource, type SyscallRule } from "./rules.ts";

const SOURCE_NOTES: Record<RuleSource, string> = {
  nsjail: "nsjail execs the command after the filter",
  nested_userns: "nested_userns = false",
  deny: "deny",
  allow: "allow",
};
const SOURCE_ORDER: readonly RuleSource[] = ["nsjail", "nested_userns", "deny", "allow"];

function actionText(a: FilterAction): string {
  return a.kind === "errno" ? `errno ${errnoSymbol(a.errno)}` : a.kind;
}

function outcome(rule: SyscallRule): string {
  if (rule.newUserAction === null) return actionText(rule.action);
  return `${actionText(rule.newUserAction)} with CLONE_NEWUSER, else ${actionText(rule.action)}`;
}

export function describeFilter(policy: SeccompPolicy, arch: SyscallArch, killVia: KillVia = "signal"): string[] {
  const filter = resolveRules(policy, arch);
  const insns = buildFilter(filter, killVia).length / INSN_SIZE;
  const lines = [`seccomp filter for ${arch}: ${insns} instructions, installed right before execve`];
  if (killVia === "listener") lines.push("  a call it kills waits for the jail's init, which kills the process and reports the syscall");
  lines.push(`  arch is not ${arch} → kill`);
  if (arch === "x86_64") lines.push(`  x32 syscall (nr ≥ 0x${X32_SYSCALL_BIT.toString(16)}) → kill`);
  // One line per (source, outcome): rules that read the same are listed together.
  const groups = new Map<string, { source: RuleSource; text: string; names: string[] }>();
  for (const rule of filter.rules) {
    const text = outcome(rule);
    const key = `${rule.source}\0${text}`;
    const group = groups.get(key) ?? { source: rule.source, text, names: [] };
    group.names.push(rule.name);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source));
  for (const g of ordered) lines.push(`  ${g.names.sort().join(", ")} → ${g.text}  # ${SOURCE_NOTES[g.source]}`);
  lines.push(`  any other syscall → ${actionText(filter.defaultAction)}  # default`);
  if (filter.absent.length > 0) lines.push(`  not on ${arch}, nothing to filter: ${filter.absent.join(", ")}`);
  return lines;
}
