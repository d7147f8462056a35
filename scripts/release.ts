// Release: dist/nsjail-linux-x64 and dist/nsjail-linux-arm64, each with its own trampoline
// (the other architecture's built by a cross compiler) and Bun's runtime for that target
// (`bun build --compile --target`), then dist/SHA256SUMS in sha256sum(1)'s format.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BuildError, buildMain, buildTrampoline, compileBinary, compileTrampoline, writeTrampolineModule, writeVersionModule } from "./build.ts";
import { ELF_MACHINES, elfMachine, relocationBytes } from "./elf.ts";

type Arch = keyof typeof ELF_MACHINES;

export const TARGETS: readonly { readonly arch: Arch; readonly bun: string; readonly file: string }[] = [
  { arch: "x86_64", bun: "bun-linux-x64", file: "nsjail-linux-x64" },
  { arch: "aarch64", bun: "bun-linux-arm64", file: "nsjail-linux-arm64" },
];

const HOST_ARCH: Arch = process.arch === "arm64" ? "aarch64" : "x86_64";

/** The host's compiler (CC) for its own architecture, the Debian cross compiler for the other
 * (package gcc-aarch64-linux-gnu or gcc-x86-64-linux-gnu). */
export function compilerFor(arch: Arch): string {
  return arch === HOST_ARCH ? (process.env.CC ?? "cc") : `${arch}-linux-gnu-gcc`;
}

/** The trampoline for `arch`, checked: the right machine, and nothing for a loader to fix up. */
export function trampolineFor(arch: Arch, out: string): Uint8Array {
  const object = compileTrampoline(compilerFor(arch), out);
  if (elfMachine(object) !== ELF_MACHINES[arch]) throw new BuildError(`${out}: built for machine ${elfMachine(object)}, not ${arch}`);
  if (relocationBytes(object) !== 0) throw new BuildError(`${out}: has relocations, but it is exec'd with no loader to apply them`);
  return object;
}

/** `dir`/SHA256SUMS for `files` in `dir`, as `sha256sum --check` reads it. */
export function writeSums(dir: string, files: readonly string[]): void {
  const line = (f: string) => `${createHash("sha256").update(readFileSync(join(dir, f))).digest("hex")}  ${f}\n`;
  writeFileSync(join(dir, "SHA256SUMS"), files.map(line).join(""));
}

if (import.meta.main) {
  await buildMain(async () => {
    const mismatches = (await import("./check-wire.ts")).wireMismatches();
    if (mismatches.length) throw new BuildError(mismatches.join("\n"));
    writeVersionModule();
    rmSync("dist", { recursive: true, force: true });
    mkdirSync("dist");
    try {
      for (const t of TARGETS) {
        writeTrampolineModule(trampolineFor(t.arch, `build/trampoline-${t.arch}.so`));
        compileBinary(`dist/${t.file}`, t.bun);
      }
    } finally {
      buildTrampoline(); // the checkout's own build goes back to the host's trampoline
    }
    writeSums("dist", TARGETS.map((t) => t.file));
    process.stdout.write(`release: ${TARGETS.map((t) => `dist/${t.file}`).join(", ")}, dist/SHA256SUMS\n`);
  });
}
