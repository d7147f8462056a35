// Hostile input through the real binary: odd files, long and binary strings, terminal escapes.
// Each ends in one clear line and exit 2 (or passes through byte for byte), never a hang.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { nsjail } from "../support/jail.ts";

requireHost(host.binary && host.root, "root and a built ./nsjail");

const dir = mkdtempSync(join(tmpdir(), "nsjail-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!(host.binary && host.root))("hostile input", () => {
  test("-c on a FIFO or a device: one line, exit 2, no hang, for run and check", () => {
    const fifo = join(dir, "fifo");
    Bun.spawnSync(["mkfifo", fifo]);
    for (const file of [fifo, "/dev/zero"]) {
      for (const args of [["run", "-c", file, "--", "/bin/true"], ["check", file]]) {
        const r = nsjail("root", args, { timeoutMs: 5000 });
        expect(r.stderr).toBe(`nsjail: ${file}: not a regular file (a FIFO, socket or device cannot be a config)\n`);
        expect(r.code).toBe(2);
      }
    }
  });

  test("-c on a file over 1 MiB: one line, exit 2", () => {
    const big = join(dir, "big.toml");
    writeFileSync(big, `#${"x".repeat(1 << 20)}\n`);
    const r = nsjail("root", ["run", "-c", big, "--", "/bin/true"]);
    expect(r.stderr).toBe(`nsjail: ${big}: larger than the 1 MiB a config file may have\n`);
    expect(r.code).toBe(2);
  });
});

describe.skipIf(!(host.binary && host.root))("hostile command lines", () => {
  test("more argv strings than the jail's execve takes: a usage error, not clone: EINVAL", () => {
    const r = nsjail("root", ["run", "--", "/bin/true", ...Array.from({ length: 5000 }, (_, i) => String(i))]);
    expect(r.stderr).toBe("nsjail: command: 5001 arguments and 4 environment variables: at most 4096 together reach the command\n");
    expect(r.code).toBe(2);
  });
});
