// Build: wire header → trampoline shared object (system C compiler, no libc headers) →
// one ./nsjail with `bun build --compile`, the object embedded as a file asset.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { renderWireHeader } from "./gen-wire-h.ts";

// Freestanding: no libc, no startup files, no stack protector (the CLONE_VM child shares the
// caller's TLS), no relocations (the object is also exec'd as a static PIE: nothing would
// apply them). nsj_start is the entry point used when it runs as the jail's init.
export const CFLAGS = [
  "-O2", "-fPIC", "-shared", "-nostdlib", "-nostartfiles", "-ffreestanding", "-fno-builtin",
  "-fno-stack-protector", "-fno-tree-loop-distribute-patterns", "-fvisibility=hidden", "-fcf-protection=none",
  "-fno-asynchronous-unwind-tables", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
  "-Wl,-e,nsj_start", "-Wl,--no-undefined", "-Wl,-z,noexecstack", "-Wl,-z,now", "-Wl,--build-id=none", "-s",
];

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}`);
}

export function buildTrampoline(): void {
  mkdirSync("build", { recursive: true });
  writeFileSync("build/nsj_wire.h", renderWireHeader());
  run(process.env.CC ?? "cc", [...CFLAGS, "-Ibuild", "-o", "build/trampoline.so", "ffi/trampoline.c", "ffi/init.c"]);
}

if (import.meta.main) {
  const mismatches = (await import("./check-wire.ts")).wireMismatches();
  if (mismatches.length) throw new Error(mismatches.join("\n"));
  buildTrampoline();
  if (!process.argv.includes("--trampoline-only")) {
    run(process.execPath, [
      // Start-up code runs once: a higher JIT threshold stops JSC compiling it (-2 ms a run).
      "build", "--compile", "--minify", "--bytecode", "--compile-jit-policy=16",
      "--no-compile-autoload-bunfig", "--no-compile-autoload-dotenv",
      "--no-compile-autoload-tsconfig", "--no-compile-autoload-package-json",
      "--outfile", "nsjail", "src/main.ts",
    ]);
  }
}
