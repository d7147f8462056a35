// Stage 2 (plan): SeccompPolicy + architecture → one rule per syscall number that differs from
// the default. The precedence lives here; bpf code generation (compile.ts) and the --dry-run
// text (describe.ts) both read these rules, so what is printed is what is installed.
import { ALWAYS_ALLOWED, type SeccompPolicy } from "../../config/seccomp.ts";
import { syscallNumbers, type SyscallArch } from "../../sys/syscall-names.ts";
import { blocks, sameAction, type FilterAction } from "./bpf.ts";

/** Why a syscall has its own rule. */
export type RuleSource = "nsjail" | "allow" | "deny" | "nested_userns";

export interface SyscallRule {
  readonly nr: number;
  readonly name: string;
  readonly action: FilterAction;
  /** When set, a call whose flags (args[0]) hold CLONE_NEWUSER gets this action instead. */
  readonly newUserAction: FilterAction | null;
  readonly source: RuleSource;
}

export interface ResolvedFilter {
  readonly arch: SyscallArch;
  /** Sorted by number, one per syscall. */
  readonly rules: readonly SyscallRule[];
  readonly defaultAction: FilterAction;
  /** Listed names this architecture does not have (iopl on aarch64): nothing to filter. */
  readonly absent: readonly string[];
}

const ENOSYS = 38;
const EPERM = 1;

/** clone and unshare take their flags in args[0] on both architectures. */
const FLAG_CALLS = ["clone", "unshare"];

/**
 * Precedence, first match wins:
 * 1. execve, exit, exit_group are allowed (config/seccomp.ts refuses to deny them);
 * 2. `allow`, then `deny` (groups already expanded, explicit allows removed), then the default;
 * 3. with nested_userns = false, where step 2 lets the call run: clone3 fails with ENOSYS, as
 *    its flags sit in memory a filter cannot read, so libc falls back to clone (glibc ≥ 2.34
 *    and musl do); clone and unshare fail with EPERM when args[0] holds CLONE_NEWUSER, the
 *    errno the kernel itself gives when user namespaces are off.
 */
export function resolveRules(policy: SeccompPolicy, arch: SyscallArch): ResolvedFilter {
  const numbers = syscallNumbers(arch);
  const action = (kind: FilterAction["kind"]): FilterAction => ({ kind, errno: policy.errno });
  const defaultAction = action(policy.defaultAction);
  const sources = new Map<string, RuleSource>();
  for (const name of policy.deny) sources.set(name, "deny");
  for (const name of policy.allow) sources.set(name, "allow");
  for (const name of ALWAYS_ALLOWED.keys()) sources.set(name, "nsjail");
  if (!policy.nestedUserns) for (const name of ["clone3", ...FLAG_CALLS]) if (!sources.has(name)) sources.set(name, "nested_userns");

  const rules: SyscallRule[] = [];
  const absent: string[] = [];
  for (const [name, source] of sources) {
    const nr = numbers.get(name);
    if (nr === undefined) {
      if (source !== "nested_userns") absent.push(name);
      continue;
    }
    const base = source === "deny" ? action(policy.denyAction) : source === "nested_userns" ? defaultAction : action("allow");
    const rule = nestedUsernsRule({ nr, name, action: base, newUserAction: null, source }, policy.nestedUserns);
    if (rule.newUserAction !== null || !sameAction(rule.action, defaultAction)) rules.push(rule);
  }
  rules.sort((a, b) => a.nr - b.nr);
  return { arch, rules, defaultAction, absent: absent.sort() };
}

function nestedUsernsRule(rule: SyscallRule, nestedUserns: boolean): SyscallRule {
  if (nestedUserns || blocks(rule.action)) return rule;
  if (rule.name === "clone3") return { ...rule, action: { kind: "errno", errno: ENOSYS }, source: "nested_userns" };
  if (FLAG_CALLS.includes(rule.name)) return { ...rule, newUserAction: { kind: "errno", errno: EPERM } };
  return rule;
}

/** What the filter does with syscall number `nr` (with no CLONE_NEWUSER in its flags). */
export function actionFor(filter: ResolvedFilter, nr: number): FilterAction {
  return filter.rules.find((r) => r.nr === nr)?.action ?? filter.defaultAction;
}
