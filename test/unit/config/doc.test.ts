// Stage 1 (config): docs/config.md is generated from the schema and must not go stale; the
// example in it and the shipped examples must validate.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { DOC_PATH, EXAMPLE_TOML, renderConfigDoc } from "../../../scripts/gen-config-doc.ts";
import { LIMIT_KEY_NAMES } from "../../../src/config/limits-model.ts";
import { SCHEMA, type KeySpec } from "../../../src/config/schema/index.ts";
import { LIMIT_FIELDS } from "../../../src/config/schema/limits.ts";
import { SECCOMP_FIELDS } from "../../../src/config/schema/seccomp.ts";
import { readSeccomp } from "../../../src/config/seccomp.ts";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { configOf, userHost } from "./fake-host.ts";

test("docs/config.md is up to date (run: bun scripts/gen-config-doc.ts)", () => {
  expect(readFileSync(DOC_PATH, "utf8")).toBe(renderConfigDoc());
});

test("every schema key has a reader and a doc section, and no key is declared twice", () => {
  const doc = renderConfigDoc();
  for (const s of SCHEMA) {
    expect(s.read).toBeFunction();
    expect(doc).toContain(`## \`${s.key}\``);
  }
  expect(new Set(SCHEMA.map((s) => s.key)).size).toBe(SCHEMA.length);
});

test("keys and flags follow the naming rules", () => {
  const kebab = (key: string) => key.replace(/_/g, "-");
  for (const s of SCHEMA as readonly KeySpec[]) {
    expect(s.key).toMatch(/^[a-z][a-z0-9_]*$/);
    if (s.flag !== null) expect(s.flag).toBe(`--${kebab(s.key)}`);
    expect(s.doc.length).toBeGreaterThan(10);
    // A table's flag is its key's name, or prefixed with the table's where the name alone is vague.
    for (const f of s.fields ?? []) {
      expect(f.key).toMatch(/^[a-z][a-z0-9_]*$/);
      if (f.flag !== null) expect([`--${kebab(f.key)}`, `--${kebab(s.key)}-${kebab(f.key)}`]).toContain(f.flag);
      expect(f.doc.length).toBeGreaterThan(10);
    }
  }
});

test("the [limits] keys the docs list are the keys its reader accepts", () => {
  expect(LIMIT_FIELDS.map((f) => f.key)).toEqual([...LIMIT_KEY_NAMES]);
});

test("every [seccomp] key the docs list is one its reader accepts", () => {
  for (const f of SECCOMP_FIELDS) {
    const issues: string[] = [];
    readSeccomp({ [f.key]: null }, "seccomp", (path, message) => issues.push(`${path}: ${message}`));
    expect(issues.join("\n")).not.toContain("unknown key");
  }
});

test("the doc's example validates", () => {
  const c = configOf(EXAMPLE_TOML);
  expect(c.uid).toBe(0);
  expect(c.hostname).toBe("jail");
  expect(c.caps).toEqual([10]);
});

test("examples/hello.toml validates", () => {
  const file = new URL("../../../examples/hello.toml", import.meta.url).pathname;
  const c = resolveConfig({ file, cli: {}, command: [] }, userHost);
  expect(c.hostname).toBe("hello");
  expect(c.command).toEqual(["/bin/sh", "-c", "echo hello from $(hostname), pid $$, uid $(id -u)"]);
  expect([...c.unshare]).toEqual(["fs", "ipc", "pid", "uts", "net", "user", "cgroup"]);
});
