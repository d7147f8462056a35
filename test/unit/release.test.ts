// Release: each architecture's trampoline is built (arm64 by the cross compiler) for the right
// machine and with no relocations, and SHA256SUMS is what `sha256sum --check` verifies.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ELF_MACHINES, elfMachine, relocationBytes } from "../../scripts/elf.ts";
import { compilerFor, trampolineFor, writeSums } from "../../scripts/release.ts";
import { CI, requireHost } from "../support/host.ts";

const dir = mkdtempSync(join(tmpdir(), "nsjail-release-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ROOT = join(import.meta.dir, "../..");
const HOST = process.arch === "arm64" ? "aarch64" : "x86_64";
const OTHER = HOST === "x86_64" ? "aarch64" : "x86_64";
const hasCross = Bun.which(compilerFor(OTHER)) !== null;
requireHost(hasCross, `${compilerFor(OTHER)} (package gcc-${OTHER.replace("_", "-")}-linux-gnu) to build the ${OTHER} trampoline`);

/** compileTrampoline reads ffi/ and writes build/nsj_wire.h relative to the checkout. */
function inCheckout<T>(fn: () => T): T {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    return fn();
  } finally {
    process.chdir(cwd);
  }
}

for (const arch of [HOST, OTHER] as const) {
  test.skipIf(arch === OTHER && !hasCross && !CI)(`the ${arch} trampoline: right machine, no relocations`, () => {
    const object = inCheckout(() => trampolineFor(arch, join(dir, `trampoline-${arch}.so`)));
    expect(elfMachine(object)).toBe(ELF_MACHINES[arch]);
    expect(relocationBytes(object)).toBe(0);
  });
}

test("the ELF reader sees relocations where there are some", () => {
  const src = join(dir, "reloc.c");
  writeFileSync(src, "extern int x; int *p = &x;\n");
  const out = join(dir, "reloc.so");
  const r = Bun.spawnSync(["cc", "-shared", "-fPIC", "-nostdlib", "-o", out, src]);
  expect(r.exitCode).toBe(0);
  const object = new Uint8Array(require("node:fs").readFileSync(out));
  expect(elfMachine(object)).toBe(ELF_MACHINES[HOST]);
  expect(relocationBytes(object)).toBeGreaterThan(0);
});

test("SHA256SUMS verifies with sha256sum --check", () => {
  writeFileSync(join(dir, "nsjail-linux-x64"), "x64 bytes");
  writeFileSync(join(dir, "nsjail-linux-arm64"), "arm64 bytes");
  writeSums(dir, ["nsjail-linux-x64", "nsjail-linux-arm64"]);
  const r = Bun.spawnSync(["sha256sum", "--check", "SHA256SUMS"], { cwd: dir });
  expect(r.stdout.toString()).toBe("nsjail-linux-x64: OK\nnsjail-linux-arm64: OK\n");
  writeFileSync(join(dir, "nsjail-linux-arm64"), "tampered");
  expect(Bun.spawnSync(["sha256sum", "--check", "--quiet", "SHA256SUMS"], { cwd: dir }).exitCode).toBe(1);
});
