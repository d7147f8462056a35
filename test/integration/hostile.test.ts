// Hostile input through the real binary: odd files, long and binary strings, terminal escapes.
// Each ends in one clear line and exit 2 (or passes through byte for byte), never a hang.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { nsjail, withoutJailLines } from "../support/jail.ts";

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

describe.skipIf(!(host.binary && host.root))("bytes pass through exactly", () => {
  /** Runs nsjail from a shell so the arguments can hold any byte; returns stdout as hex. */
  function hexOf(script: string): string {
    const r = Bun.spawnSync(["/bin/sh", "-c", script], { env: { PATH: "/usr/bin:/bin", BIN: host.binary ? join(import.meta.dir, "../../nsjail") : "" } });
    expect(withoutJailLines(r.stderr.toString())).toBe("");
    return r.stdout.toString().replace(/\s+/g, " ").trim();
  }
  const od = "| od -An -tx1";

  test("argv words with invalid UTF-8", () => {
    expect(hexOf(`"$BIN" run -- /bin/sh -c 'printf %s "$1" ${od}' sh "$(printf 'x\\377y\\351')"`)).toBe("78 ff 79 e9");
  });

  test("--env values and kept host variables", () => {
    const script = `XV="$(printf 'a\\377b')" "$BIN" run --keep-env XV --env "KV=$(printf '\\376\\303')" -- /bin/sh -c 'printf %s "$XV$KV" ${od}'`;
    expect(hexOf(script)).toBe("61 ff 62 fe c3");
  });

  test("a working directory whose name is not UTF-8", () => {
    chmodSync(dir, 0o755); // the jail's root is host nobody
    const script = `mkdir "${dir}/d$(printf '\\377')" && "$BIN" run --chdir "${dir}/d$(printf '\\377')" -- /bin/sh -c 'pwd ${od}'`;
    const want = [...Buffer.from(`${dir}/d`), 0xff, 0x0a].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    expect(hexOf(script)).toBe(want);
  });
});

describe.skipIf(!(host.binary && host.root))("terminal safety", () => {
  test("a title-setting escape in a path is printed escaped", () => {
    const r = nsjail("root", ["run", "--chdir", "/tmp/\x1b]0;PWNED\x07", "--", "/bin/true"]);
    expect(r.stderr).toBe("nsjail: chdir /tmp/\\x1b]0;PWNED\\x07 [chdir]: ENOENT (No such file or directory)\n");
    expect(r.stderr).not.toContain("\x1b");
  });
});

describe.skipIf(!(host.binary && host.root))("where a problem is", () => {
  test("--config= says the path is empty", () => {
    for (const args of [["run", "--config=", "--", "/bin/true"], ["run", "-c", "", "/bin/true"]]) {
      const r = nsjail("root", args);
      expect(r.stderr).toBe("nsjail: --config: the path is empty\n");
      expect(r.code).toBe(2);
    }
    expect(nsjail("root", ["check", ""]).stderr).toBe("nsjail: check: the path is empty\n");
  });

  test("flag errors are not prefixed with the config file's name", () => {
    const file = join(dir, "ok.toml");
    writeFileSync(file, 'command = ["/bin/true"]\n');
    const r = nsjail("root", ["run", "-c", file, "--time-limit", "soon"]);
    expect(r.stderr).toBe("nsjail: --time-limit: expected a non-negative integer, got 'soon'\n");
    expect(r.code).toBe(2);
  });
});

describe.skipIf(!(host.binary && host.root))("low resource limits", () => {
  // Bun itself needs a few fds and GB of address space to start at all; these limits let it
  // start and then fail inside nsjail, which must say which limit in one line.
  test.each([
    ["ulimit -n 6", "the open-file limit (ulimit -n)"],
    ["ulimit -n 7", "the open-file limit (ulimit -n)"],
    ["ulimit -v 1500000", "address-space limit (ulimit -v)"],
  ])("%s: one line naming the limit, no stack trace", (limit, words) => {
    const r = nsjail("root", ["run", "--", "/bin/true"], { shell: `${limit}; ` });
    expect(r.code).toBe(255);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toStartWith("nsjail: ");
    expect(r.stderr).toContain(words);
  });
});
