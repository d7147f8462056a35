// Ground floor: the committed syscall/errno tables (src/sys/syscall-table.gen.ts) match what
// scripts/gen-syscall-tables.ts makes from this host's kernel headers, and decode as expected.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { TABLE_PATH, findHeaders, renderSyscallTables } from "../../../scripts/gen-syscall-tables.ts";
import { SYSCALLS } from "../../../src/sys/constants.ts";
import { UAPI_RELEASE } from "../../../src/sys/syscall-table.gen.ts";
import { errnoByName, errnoSymbol, syscallArchOf, syscallNumbers } from "../../../src/sys/syscall-names.ts";
import { requireHost } from "../../support/host.ts";

const headers = findHeaders();
requireHost(headers !== null, "kernel uapi headers (apt-get install linux-libc-dev)");

/** name → number pairs of one packed table in the generated file's text. */
function tablesIn(text: string): Record<string, Map<string, number>> {
  const out: Record<string, Map<string, number>> = {};
  for (const m of text.matchAll(/export const (\w+) = `([^`]*)`/g)) out[m[1]!] = decodeLike(m[2]!);
  return out;
}

/** The packed format, decoded independently of src/sys/syscall-names.ts. */
function decodeLike(packed: string): Map<string, number> {
  const t = new Map<string, number>();
  let next = 0;
  for (const tok of packed.split(/\s+/).filter(Boolean)) {
    const [name, nr] = tok.split("=");
    if (nr !== undefined) t.set(name!, Number(nr));
    else if (/^\d+$/.test(tok)) next = Number(tok);
    else t.set(tok, next++);
  }
  return t;
}

test.skipIf(headers === null)("the committed tables are what the script makes from this host's headers (needs linux-libc-dev)", () => {
  const fresh = renderSyscallTables(headers!);
  expect(renderSyscallTables(headers!)).toBe(fresh); // deterministic
  const committed = readFileSync(TABLE_PATH, "utf8");
  const release = /UAPI_RELEASE = "([^"]+)"/.exec(fresh)?.[1];
  if (release === UAPI_RELEASE) {
    expect(committed).toBe(fresh);
    return;
  }
  // Newer headers only add syscalls: every committed number must still hold.
  const now = tablesIn(fresh);
  for (const [table, entries] of Object.entries(tablesIn(committed))) {
    for (const [name, nr] of entries) expect(`${table}.${name} = ${now[table]?.get(name)}`).toBe(`${table}.${name} = ${nr}`);
  }
});

test("well-known numbers", () => {
  const x86 = syscallNumbers("x86_64");
  const arm = syscallNumbers("aarch64");
  expect([x86.get("read"), x86.get("execve"), x86.get("uname"), x86.get("clone3"), x86.get("seccomp")]).toEqual([0, 59, 63, 435, 317]);
  expect([arm.get("io_setup"), arm.get("execve"), arm.get("uname"), arm.get("clone3"), arm.get("seccomp")]).toEqual([0, 221, 160, 435, 277]);
  // asm-generic's 32/64-bit pairs resolve to the 64-bit names on aarch64.
  expect([arm.get("fcntl"), arm.get("lseek"), arm.get("mmap"), arm.get("newfstatat")]).toEqual([25, 62, 222, 79]);
  expect(arm.has("fcntl64") || arm.has("open") || arm.has("arch_specific_syscall")).toBe(false);
  expect(x86.size).toBeGreaterThan(350);
  expect(arm.size).toBeGreaterThan(300);
});

test("the trampoline's hand-written numbers (src/sys/constants.ts) agree with the headers", () => {
  for (const arch of ["x86_64", "aarch64"] as const) {
    const table = syscallNumbers(arch);
    for (const [name, nr] of Object.entries(SYSCALLS[arch])) expect(`${arch} ${name} ${table.get(name)}`).toBe(`${arch} ${name} ${nr}`);
  }
});

test("errno names, aliases and symbols", () => {
  expect([errnoByName("EPERM"), errnoByName("ENOSYS"), errnoByName("EHWPOISON")]).toEqual([1, 38, 133]);
  expect([errnoByName("EWOULDBLOCK"), errnoByName("EDEADLOCK"), errnoByName("ENOTSUP")]).toEqual([11, 35, null]);
  expect([errnoSymbol(11), errnoSymbol(1), errnoSymbol(4000)]).toEqual(["EAGAIN", "EPERM", "E4000"]);
});

test("Bun's architecture names map to the kernel's", () => {
  expect([syscallArchOf("x64"), syscallArchOf("arm64"), syscallArchOf("ia32")]).toEqual(["x86_64", "aarch64", null]);
});
