// Stage 1 (config): the [seccomp] table → SeccompPolicy, reporting every issue with its key
// path. Names stay names: plan/seccomp/ turns them into numbers for the target architecture.
import { allSyscallNames, errnoByName, errnoNames, isSyscallName } from "../sys/syscall-names.ts";
import { describe, expectArray, expectBool, expectInt, expectString, isTable, type Report } from "./expect.ts";
import { SYSCALL_GROUPS } from "./seccomp-groups.ts";
import { didYouMean } from "./suggest.ts";

const SECCOMP_ACTIONS = ["allow", "errno", "kill", "log", "trap"] as const;
/**
 * What a filtered syscall does: allow; errno = fail with `errno` without running; kill = the
 * whole process dies of SIGSYS (SECCOMP_RET_KILL_PROCESS); log = allow and write an audit record;
 * trap = SIGSYS the process may catch (for emulators and debugging).
 */
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];
export type SeccompDenyAction = Exclude<SeccompAction, "allow">;
const DENY_ACTIONS: readonly SeccompDenyAction[] = ["errno", "kill", "log", "trap"];

export interface SeccompPolicy {
  /** For a syscall in neither list. */
  readonly defaultAction: SeccompAction;
  /** Always allowed: an allow list under a blocking default, or exceptions to a denied group. */
  readonly allow: readonly string[];
  /** Denied with denyAction: names and expanded groups, minus `allow`; sorted, unique. */
  readonly deny: readonly string[];
  readonly denyAction: SeccompDenyAction;
  /** Returned by every errno action, 1..4095. */
  readonly errno: number;
  /** false: clone/unshare with CLONE_NEWUSER fail with EPERM and clone3 with ENOSYS. */
  readonly nestedUserns: boolean;
}

const SECCOMP_KEYS = ["default", "allow", "deny", "deny_action", "errno", "nested_userns"] as const;

/**
 * The filter allows these whatever the lists say: it is installed right before nsjail's own
 * execve of the command, and a process must always be able to end.
 */
export const ALWAYS_ALLOWED: ReadonlyMap<string, string> = new Map([
  ["execve", "nsjail starts the command with it after the filter is in place (deny execveat instead, or use an allow list)"],
  ["exit", "a process must always be able to end"],
  ["exit_group", "a process must always be able to end"],
]);

/** The kernel clamps SECCOMP_RET_ERRNO data to MAX_ERRNO; 0 would fake success. */
const ERRNO_MAX = 4095;
/** Suggestions cost O(candidates × length²): only for short names, and only the first few. */
const SUGGEST_MAX_LENGTH = 32;
const SUGGEST_MAX_COUNT = 8;

interface Listed {
  readonly name: string;
  readonly path: string;
}

function readAction<T extends string>(v: unknown, path: string, report: Report, choices: readonly T[]): T | undefined {
  const s = expectString(v, path, report);
  if (s === undefined || (choices as readonly string[]).includes(s)) return s as T | undefined;
  report(path, `expected one of ${choices.join(", ")}, got ${describe(s)}${didYouMean(s, choices)}`);
  return undefined;
}

function readErrno(v: unknown, path: string, report: Report): number | undefined {
  if (typeof v !== "string") return expectInt(v, path, report, 1, ERRNO_MAX);
  const n = errnoByName(v);
  if (n === null) report(path, `unknown errno name ${describe(v)}${didYouMean(v, errnoNames())} (or give a number)`);
  return n ?? undefined;
}

/** Reads one list; `budget` bounds the did-you-mean work over both lists. */
function readNames(v: unknown, path: string, report: Report, groups: boolean, budget: { left: number }): Listed[] | undefined {
  return expectArray(v, path, report, (item, p) => {
    const name = expectString(item, p, report);
    if (name === undefined) return undefined;
    if (name.startsWith("@")) {
      if (groups && SYSCALL_GROUPS.has(name)) return { name, path: p };
      const where = groups ? didYouMean(name, SYSCALL_GROUPS.keys()) : " (groups are accepted in seccomp.deny only)";
      report(p, `unknown syscall group ${describe(name)}${where}`);
      return undefined;
    }
    if (isSyscallName(name)) return { name, path: p };
    report(p, `unknown syscall ${describe(name)}${suggestSyscall(name, budget)}`);
    return undefined;
  });
}

function suggestSyscall(name: string, budget: { left: number }): string {
  if (name.length > SUGGEST_MAX_LENGTH || budget.left <= 0) return "";
  budget.left--;
  const reach = Math.max(2, Math.floor(name.length / 3));
  let best = "";
  let bestDistance = reach + 1;
  for (const candidate of allSyscallNames()) {
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const d = typoDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === "" ? "" : ` (did you mean '${best}'?)`;
}

/**
 * Edits (insert, delete, replace, or swap two neighbours) from a to b. Swaps count once, so
 * "unmae" is nearer "uname" than "munmap": syscall typos are mostly swapped letters.
 */
function typoDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const up = rows[i - 1]!;
      let d = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** Reports contradictions between the lists; returns false when there was one. */
function checkLists(allow: readonly Listed[], deny: readonly Listed[], defaultAction: SeccompAction, path: string, report: Report): boolean {
  let ok = true;
  const denied = new Map(deny.map((d) => [d.name, d.path]));
  for (const d of deny) {
    const why = ALWAYS_ALLOWED.get(d.name);
    if (why !== undefined) {
      report(d.path, `${d.name} cannot be denied: ${why}`);
      ok = false;
    }
  }
  const inGroup = new Set(deny.flatMap((d) => SYSCALL_GROUPS.get(d.name) ?? []));
  for (const a of allow) {
    const also = denied.get(a.name);
    if (also !== undefined) {
      report(a.path, `'${a.name}' is also denied (${also})`);
      ok = false;
    } else if (defaultAction === "allow" && !inGroup.has(a.name)) {
      report(a.path, `'${a.name}' is allowed anyway: an allow list needs ${path}.default = "errno", "kill", "log" or "trap"`);
      ok = false;
    }
  }
  return ok;
}

function expandDeny(deny: readonly Listed[], allow: readonly Listed[]): string[] {
  const allowed = new Set(allow.map((a) => a.name));
  const names = deny.flatMap((d) => SYSCALL_GROUPS.get(d.name) ?? [d.name]);
  return sortedUnique(names.filter((n) => !allowed.has(n)));
}

function sortedUnique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

export function readSeccomp(v: unknown, path: string, report: Report): SeccompPolicy | undefined {
  if (!isTable(v)) {
    report(path, `expected a table, got ${describe(v)}`);
    return undefined;
  }
  let ok = true;
  const read = <T>(key: string, reader: (value: unknown, p: string) => T | undefined, fallback: T): T => {
    if (v[key] === undefined) return fallback;
    const r = reader(v[key], `${path}.${key}`);
    if (r === undefined) ok = false;
    return r ?? fallback;
  };
  for (const key of Object.keys(v)) {
    if (!(SECCOMP_KEYS as readonly string[]).includes(key)) {
      report(`${path}.${key}`, `unknown key${didYouMean(key, SECCOMP_KEYS)}`);
      ok = false;
    }
  }
  const budget = { left: SUGGEST_MAX_COUNT };
  const defaultAction = read("default", (x, p) => readAction(x, p, report, SECCOMP_ACTIONS), "allow" as SeccompAction);
  const denyAction = read("deny_action", (x, p) => readAction(x, p, report, DENY_ACTIONS), "errno" as SeccompDenyAction);
  const allow = read("allow", (x, p) => readNames(x, p, report, false, budget), []);
  const deny = read("deny", (x, p) => readNames(x, p, report, true, budget), []);
  const errno = read("errno", (x, p) => readErrno(x, p, report), 1);
  const nestedUserns = read("nested_userns", (x, p) => expectBool(x, p, report), true);
  if (!ok || !checkLists(allow, deny, defaultAction, path, report)) return undefined;
  return {
    defaultAction,
    allow: sortedUnique(allow.map((a) => a.name)),
    deny: expandDeny(deny, allow),
    denyAction,
    errno,
    nestedUserns,
  };
}
