// Build step, run by hand when the kernel headers move on: writes src/sys/syscall-table.gen.ts,
// the syscall name → number tables for x86_64 and aarch64 and the errno names, read from the
// kernel's uapi headers as Debian's linux-libc-dev installs them (apt-get install linux-libc-dev).
// The output is committed; test/unit/seccomp/syscall-table.test.ts checks it against the headers.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { numberedMacros, readDefines, type Defines } from "./uapi-defines.ts";

export const TABLE_PATH = new URL("../src/sys/syscall-table.gen.ts", import.meta.url).pathname;

/**
 * Where each header is found: the native include tree first, then a cross package's (on an
 * aarch64 host the x86_64 table comes from linux-libc-dev-amd64-cross). Linux 6.11 moved arm64
 * to a generated asm/unistd_64.h; once the headers here are that new, read the arm64 cross
 * package's unistd_64.h like the x86_64 one (the table test notices a number that moves).
 */
const HEADERS = {
  x86_64: ["/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/x86_64-linux-gnu/include/asm/unistd_64.h"],
  generic: ["/usr/include/asm-generic/unistd.h", "/usr/aarch64-linux-gnu/include/asm-generic/unistd.h"],
  errnoBase: ["/usr/include/asm-generic/errno-base.h"],
  errno: ["/usr/include/asm-generic/errno.h"],
  version: ["/usr/include/linux/version.h"],
} as const;

/**
 * arm64 has no table of its own: its asm/unistd.h defines these and includes asm-generic/unistd.h
 * (checked against linux-libc-dev-arm64-cross 6.1). __BITS_PER_LONG = 64 and no
 * __SYSCALL_COMPAT select the 64-bit names (fcntl, not fcntl64).
 */
const ARM64_DEFINES: Defines = new Map([
  ["__BITS_PER_LONG", "64"],
  ["__ARCH_WANT_RENAMEAT", ""],
  ["__ARCH_WANT_NEW_STAT", ""],
  ["__ARCH_WANT_SET_GET_RLIMIT", ""],
  ["__ARCH_WANT_TIME32_SYSCALLS", ""],
  ["__ARCH_WANT_SYS_CLONE3", ""],
  ["__ARCH_WANT_MEMFD_SECRET", ""],
]);

export type HeaderName = keyof typeof HEADERS;

/** The first existing path of each header, or null when one is missing. */
export function findHeaders(): Record<HeaderName, string> | null {
  const found: Partial<Record<HeaderName, string>> = {};
  for (const [name, paths] of Object.entries(HEADERS) as [HeaderName, readonly string[]][]) {
    const path = paths.find((p) => existsSync(p));
    if (path === undefined) return null;
    found[name] = path;
  }
  return found as Record<HeaderName, string>;
}

function macros(paths: Record<HeaderName, string>, name: HeaderName, predefined: Defines = new Map()): Defines {
  return readDefines(readFileSync(paths[name], "utf8"), predefined, paths[name]);
}

/**
 * Packs name → number as text: names in number order; a bare number sets the number of the
 * next name; `name=N` is a second name for N (an alias). src/sys/syscall-names.ts decodes it.
 */
function packTable(table: ReadonlyMap<string, number>, aliases: ReadonlyMap<string, number> = new Map()): string {
  const entries = [...table].sort(([, x], [, y]) => x - y);
  const tokens: string[] = [];
  let next = 0;
  for (const [name, nr] of entries) {
    if (nr < next) throw new Error(`${name} and another name share number ${nr}: pass one as an alias`);
    if (nr !== next) tokens.push(String(nr));
    tokens.push(name);
    next = nr + 1;
  }
  for (const [name, nr] of [...aliases].sort(([a], [b]) => (a < b ? -1 : 1))) tokens.push(`${name}=${nr}`);
  const lines: string[] = [];
  for (const token of tokens) {
    const line = lines.at(-1);
    if (line !== undefined && line.length + token.length < 99) lines[lines.length - 1] = `${line} ${token}`;
    else lines.push(token);
  }
  return lines.map((l) => `  ${l}\n`).join("");
}

/** Errno names: an alias (EWOULDBLOCK) is defined as its target's name, not a number. */
function errnoTables(defs: Defines): [Map<string, number>, Map<string, number>] {
  const canonical = new Map<string, number>();
  const aliases = new Map<string, number>();
  for (const [name, n] of numberedMacros(defs, "E")) {
    const numeric = /^\d+$/.test(defs.get(`E${name}`) ?? "");
    (numeric ? canonical : aliases).set(`E${name}`, n);
  }
  return [canonical, aliases];
}

/** Every __NR_ macro but the count and asm-generic's base of arch-private numbers. */
function syscallTable(defs: Defines): Map<string, number> {
  const table = numberedMacros(defs, "__NR_");
  table.delete("syscalls");
  table.delete("arch_specific_syscall");
  return table;
}

export function renderSyscallTables(paths: Record<HeaderName, string>): string {
  const version = macros(paths, "version");
  const release = ["MAJOR", "PATCHLEVEL", "SUBLEVEL"].map((p) => version.get(`LINUX_VERSION_${p}`) ?? "?").join(".");
  const x86 = syscallTable(macros(paths, "x86_64"));
  const arm = syscallTable(macros(paths, "generic", ARM64_DEFINES));
  const [errnos, errnoAliases] = errnoTables(macros(paths, "errno", macros(paths, "errnoBase")));
  const block = (name: string, doc: string, table: Map<string, number>, aliases?: Map<string, number>) =>
    `/** ${doc} */\nexport const ${name} = \`\n${packTable(table, aliases)}\`;\n`;
  return [
    "// Generated by scripts/gen-syscall-tables.ts from the kernel's uapi headers: do not edit.",
    "// Names in number order; a bare number sets the next name's number; `name=N` is an alias.",
    "// Decoded by src/sys/syscall-names.ts.",
    "",
    `/** The headers' release (linux/version.h). */\nexport const UAPI_RELEASE = "${release}";`,
    block("SYSCALLS_X86_64", "asm/unistd_64.h: the x86_64 ABI (x32 and i386 are refused by the filter).", x86),
    block("SYSCALLS_AARCH64", "asm-generic/unistd.h as arm64 configures it.", arm),
    block("ERRNOS", "asm-generic/errno-base.h and errno.h, shared by x86_64 and aarch64.", errnos, errnoAliases),
  ].join("\n");
}

if (import.meta.main) {
  const paths = findHeaders();
  if (paths === null) {
    console.error(`missing kernel headers (apt-get install linux-libc-dev): ${Object.values(HEADERS).flat().join(", ")}`);
    process.exit(1);
  }
  writeFileSync(TABLE_PATH, renderSyscallTables(paths));
  console.log(`wrote ${TABLE_PATH}`);
}
