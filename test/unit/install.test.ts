// Install and build as a new user meets them: `npm ci` on the Node the README names prints no
// engine warning, and a missing C compiler is one line, not a stack trace.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));

/** The lowest Node version a `>=X[.Y[.Z]]` range admits, as [X, Y, Z]. */
function floor(range: string): number[] {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!m) throw new Error(`engines range ${range}: only >=X.Y.Z is understood here, check it by hand`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}
const atLeast = (a: number[], b: number[]) => a[0]! !== b[0]! ? a[0]! > b[0]! : a[1]! !== b[1]! ? a[1]! > b[1]! : a[2]! >= b[2]!;

test("every locked package accepts the oldest Node the README and package.json name", () => {
  const oldest = floor(pkg.engines.node);
  expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(`Node.js ${oldest[0]} or newer`);
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)) {
    const node = entry.engines?.node;
    if (path === "" || node === undefined) continue;
    expect([path, atLeast(oldest, floor(node))]).toEqual([path, true]);
  }
});

test("bun's postinstall is allowed, so npm ci lists no unreviewed install script", () => {
  expect(pkg.allowScripts).toEqual({ bun: true });
});

test("a missing C compiler is one line naming the fix", () => {
  const r = Bun.spawnSync([process.execPath, "scripts/build.ts", "--trampoline-only"], {
    cwd: ROOT,
    env: { ...process.env, CC: "nsjail-test-no-such-cc" },
  });
  expect(r.exitCode).toBe(1);
  expect(r.stderr.toString()).toBe("build: no C compiler: 'nsjail-test-no-such-cc' not found (install gcc or clang, or set CC to a compiler)\n");
});
