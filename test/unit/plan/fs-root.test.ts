// Stage 2 (plan): what the new root does with the host's mounts below a rootfs, and where mount
// points may be made — decided from host facts before the clone, checked here without a kernel.
import { describe, expect, test } from "bun:test";
import { FlagValue } from "../../../src/config/expect.ts";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { buildPlan } from "../../../src/plan/build.ts";
import { fakePaths } from "../../support/fake-paths.ts";
import { fixedHost } from "../../support/plans.ts";

function planOf(cli: Record<string, unknown>, mounts: readonly string[], uid = 1000) {
  const host = { ...fixedHost(uid), paths: fakePaths({ mounts }) };
  return buildPlan(resolveConfig({ file: null, cli, command: ["/bin/true"] }, host), host);
}

const notes = (plan: ReturnType<typeof planOf>, word: string) => plan.ops.filter((o) => o.origin.note.startsWith(word)).map((o) => o.origin.note);

describe("host mounts below a rootfs", () => {
  const HOST = ["/", "/r/a", "/r/a/k", "/r/a/other", "/r/b", "/r/b/c", "/r/kept"];

  test("in a user namespace: a recursive bind, every unkept top-most mount covered", () => {
    const plan = planOf({ rootfs: "/r", keep_mount: ["/r/a/k", "/r/kept"] }, HOST);
    expect(plan.ops.find((o) => o.origin.note.startsWith("bind /r"))!.args[3]).toBe(4096 | 16384);
    // /r/a holds a kept mount: it stays, and so its other child is what gets covered.
    expect(notes(plan, "hide")).toEqual(["hide the host mount /r/b", "hide the host mount /r/a/other"]);
    // Carried in place by the recursive bind: nothing to clone.
    expect(notes(plan, "clone the host mount")).toEqual([]);
  });

  test("a kept path that holds the rootfs does not uncover the mounts below it", () => {
    const plan = planOf({ rootfs: "/r", keep_mount: ["/:/host"] }, HOST);
    expect(notes(plan, "hide")).toEqual(["hide the host mount /r/a", "hide the host mount /r/b", "hide the host mount /r/kept"]);
  });

  test("without a user namespace: a plain bind, nothing covered, kept mounts cloned from before the bind", () => {
    const plan = planOf({ rootfs: "/r", keep_mount: ["/r/a/k"], unshare: ["fs", "pid"] }, HOST, 0);
    expect(plan.ops.find((o) => o.origin.note.startsWith("bind /r"))!.args[3]).toBe(4096);
    expect(notes(plan, "hide")).toEqual([]);
    const at = (note: string) => plan.ops.findIndex((o) => o.origin.note.startsWith(note));
    expect(at("open /r before it is bound")).toBeGreaterThan(-1);
    expect(at("open /r before it is bound")).toBeLessThan(at("bind /r onto itself"));
    expect(at("bind /r onto itself")).toBeLessThan(at("clone the host mount /r/a/k"));
  });
});

describe("mount points", () => {
  test("are made in the empty root and below nsjail's tmpfs, never in a rootfs", () => {
    const made = (cli: Record<string, unknown>) => notes(planOf(cli, ["/"]), "make the directory");
    const flags = (...pairs: [string, string][]) => pairs.map(([f, v]) => new FlagValue(f, v));
    expect(made({ mount: flags(["--tmpfs", "/a/b"]) })).toEqual(["make the directory /a", "make the directory /a/b"]);
    expect(made({ rootfs: "/ns/001", mount: flags(["--tmpfs", "/a/b"]) })).toEqual([]);
    expect(made({ rootfs: "/ns/001", mount: flags(["--tmpfs", "/tmp"], ["--tmpfs", "/tmp/x/y"]) })).toEqual(["make the directory /tmp/x", "make the directory /tmp/x/y"]);
  });
});
