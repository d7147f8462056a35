// Ground floor: syscall and errno names ↔ numbers per architecture, decoded on first use from
// the generated tables (syscall-table.gen.ts), so a jail without a [seccomp] table pays nothing.
import { ERRNOS, SYSCALLS_AARCH64, SYSCALLS_X86_64 } from "./syscall-table.gen.ts";

/** The architectures nsjail builds a seccomp filter for, named as the kernel does. */
const SYSCALL_ARCHES = ["x86_64", "aarch64"] as const;
export type SyscallArch = (typeof SYSCALL_ARCHES)[number];

const PACKED: Record<SyscallArch, string> = { x86_64: SYSCALLS_X86_64, aarch64: SYSCALLS_AARCH64 };

/** Decodes the packed format written by scripts/gen-syscall-tables.ts (packTable). */
function decode(packed: string): Map<string, number> {
  const table = new Map<string, number>();
  let next = 0;
  for (const token of packed.split(/\s+/)) {
    if (token === "") continue;
    const eq = token.indexOf("=");
    if (eq > 0) table.set(token.slice(0, eq), Number(token.slice(eq + 1)));
    else if (token.charCodeAt(0) <= 57) next = Number(token);
    else table.set(token, next++);
  }
  return table;
}

const decoded = new Map<string, Map<string, number>>();

function table(key: SyscallArch | "errno"): Map<string, number> {
  let t = decoded.get(key);
  if (t === undefined) {
    t = decode(key === "errno" ? ERRNOS : PACKED[key]);
    decoded.set(key, t);
  }
  return t;
}

/** Syscall name → number on `arch` (the native ABI only: no x32, no compat). */
export function syscallNumbers(arch: SyscallArch): ReadonlyMap<string, number> {
  return table(arch);
}

/** Number → name on `arch`: the first name the table gives it; null for an unknown number. */
export function syscallName(arch: SyscallArch, nr: number): string | null {
  for (const [name, n] of table(arch)) if (n === nr) return name;
  return null;
}

/** True when `name` is a syscall on at least one supported architecture. */
export function isSyscallName(name: string): boolean {
  return SYSCALL_ARCHES.some((arch) => table(arch).has(name));
}

/** Every syscall name of every supported architecture, each once. */
export function allSyscallNames(): string[] {
  return [...new Set(SYSCALL_ARCHES.flatMap((arch) => [...table(arch).keys()]))];
}

/** EPERM → 1; null for a name the kernel headers do not define. */
export function errnoByName(name: string): number | null {
  return table("errno").get(name) ?? null;
}

/** 1 → EPERM: the first (canonical) name of a number, or E<n> when none. */
export function errnoSymbol(errno: number): string {
  for (const [name, n] of table("errno")) if (n === errno) return name;
  return `E${errno}`;
}

export function errnoNames(): string[] {
  return [...table("errno").keys()];
}

/** Bun's process.arch → the kernel's name, or null for an architecture without tables. */
export function syscallArchOf(processArch: string): SyscallArch | null {
  return processArch === "x64" ? "x86_64" : processArch === "arm64" ? "aarch64" : null;
}
