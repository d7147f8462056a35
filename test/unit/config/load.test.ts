// Stage 1 (config): file-level failures of loadConfigFile: unreadable, not UTF-8, not TOML.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile } from "../../../src/config/load.ts";
import { configErrorOf } from "./fake-host.ts";

const dir = mkdtempSync(join(tmpdir(), "nsjail-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}


test("parses a good file and keeps its text", () => {
  const p = file("good.toml", 'command = ["/bin/true"]\n');
  expect(loadConfigFile(p)).toEqual({ raw: { command: ["/bin/true"] }, text: 'command = ["/bin/true"]\n' });
});

test("missing file", () => {
  const p = join(dir, "nope.toml");
  const e = configErrorOf(() => loadConfigFile(p));
  expect(e.message).toBe(`${p}: cannot read: ENOENT (No such file or directory)`);
  expect(e.exitCode).toBe(2);
});

test("a directory", () => {
  expect(configErrorOf(() => loadConfigFile(dir)).message).toBe(`${dir}: cannot read: EISDIR (Is a directory)`);
});

describe("only regular files of at most 1 MiB", () => {
  test("a FIFO is refused at once, not waited on", () => {
    const p = join(dir, "fifo");
    Bun.spawnSync(["mkfifo", p]);
    expect(configErrorOf(() => loadConfigFile(p)).message).toBe(`${p}: not a regular file (a FIFO, socket or device cannot be a config)`);
  });
  test("a device is refused before a byte is read", () => {
    expect(configErrorOf(() => loadConfigFile("/dev/zero")).message).toBe("/dev/zero: not a regular file (a FIFO, socket or device cannot be a config)");
  });
  test("one byte over the cap is refused; the cap itself is fine", () => {
    const comment = (n: number) => `#${"x".repeat(n - 2)}\n`;
    expect(loadConfigFile(file("max.toml", comment(1 << 20))).raw).toEqual({});
    const p = file("big.toml", comment((1 << 20) + 1));
    expect(configErrorOf(() => loadConfigFile(p)).message).toBe(`${p}: larger than the 1 MiB a config file may have`);
  });
});

test("invalid UTF-8 names the line", () => {
  const bytes = new Uint8Array([...new TextEncoder().encode('command = ["a"]\nhostname = "'), 0xff, 0x22, 0x0a]);
  const p = file("bad-utf8.toml", bytes);
  const e = configErrorOf(() => loadConfigFile(p));
  expect(e.message).toBe(`${p}:2: invalid UTF-8 at byte 28 (0xff)`);
  expect(e.issues[0]?.line).toBe(2);
});

test("TOML syntax error: file:line and one line of parser message", () => {
  const p = file("syntax.toml", 'command = ["/bin/true"]\nhostname = "x"\nuid = = 3\n');
  const e = configErrorOf(() => loadConfigFile(p));
  expect(e.issues[0]?.line).toBe(3);
  expect(e.message).toStartWith(`${p}:3: Unexpected character`);
  expect(e.message).toContain("(column 7)");
  expect(e.message).not.toContain("\n");
});

test("duplicate keys are a syntax error too", () => {
  const p = file("dup.toml", 'hostname = "a"\nhostname = "b"\n');
  expect(configErrorOf(() => loadConfigFile(p)).message).toStartWith(`${p}:2: Can't redefine existing key`);
});

test("a UTF-8 BOM is accepted", () => {
  const p = file("bom.toml", new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('hostname = "a"\n')]));
  expect(loadConfigFile(p).raw).toEqual({ hostname: "a" });
});
