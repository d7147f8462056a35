// Stage 2 (plan): where [limits] and [seccomp] land in a whole plan — the deferred cgroup
// namespace, the limits phase before the bounding set, the filter as the command's last op.
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../../src/config/resolve.ts";
import { buildPlan } from "../../../src/plan/build.ts";
import type { Plan } from "../../../src/plan/types.ts";
import { CLONE, PR } from "../../../src/sys/constants.ts";
import { fixedHost } from "../../support/plans.ts";

const host = fixedHost(1000);
const planOf = (cli: Record<string, unknown>): Plan => buildPlan(resolveConfig({ file: null, cli, command: ["/bin/true"] }, host), host);
const kinds = (p: Plan) => p.ops.map((o) => o.kind);
const at = (p: Plan, pred: (o: Plan["ops"][number]) => boolean) => p.ops.findIndex(pred);

describe("the cgroup namespace of a jail with a cgroup", () => {
  test("unshared after wait_parent, not by clone3", () => {
    const p = planOf({ limits: { pids: 10 } });
    expect(p.cloneFlags & CLONE.NEWCGROUP).toBe(0);
    expect(p.cloneFlags & CLONE.NEWPID).toBe(CLONE.NEWPID);
    // Right after the wait for the parent (and the stdio the launcher gives), before any mount.
    const wait = kinds(p).indexOf("wait_parent");
    expect(kinds(p).slice(wait + 1, wait + 4)).toEqual(["dup3", "dup3", "dup3"]);
    expect(p.ops[wait + 4]).toMatchObject({ kind: "unshare", args: [CLONE.NEWCGROUP], origin: { path: "unshare.cgroup" } });
    expect(kinds(p).indexOf("mount")).toBeGreaterThan(wait + 4);
  });

  test("by clone3 as before without a cgroup, or without the namespace", () => {
    expect(planOf({}).cloneFlags & CLONE.NEWCGROUP).toBe(CLONE.NEWCGROUP);
    const noNs = planOf({ limits: { pids: 10 }, unshare: ["user", "pid", "fs"] });
    expect(noNs.cloneFlags & CLONE.NEWCGROUP).toBe(0);
    expect(noNs.ops.some((o) => o.kind === "unshare")).toBe(false);
  });

  test("exec mode attaches nsjail first, so its one unshare takes the namespace along", () => {
    const p = planOf({ limits: { pids: 10 }, exec: true });
    expect(p.ops.filter((o) => o.kind === "unshare").map((o) => Number(o.args[0]) & CLONE.NEWCGROUP)).toEqual([CLONE.NEWCGROUP]);
  });
});

test("rlimits, nice and affinity run after the network and before the bounding set is dropped", () => {
  const p = planOf({ limits: { rlimit_nofile: "64", nice: "3", cpu_affinity: "0" } });
  const first = at(p, (o) => o.kind === "setrlimit");
  expect(kinds(p).slice(first, first + 3)).toEqual(["setrlimit", "setpriority", "sched_setaffinity"]);
  expect(first).toBeGreaterThan(kinds(p).indexOf("if_up"));
  expect(first + 3).toBe(at(p, (o) => o.kind === "prctl" && o.args[0] === PR.CAPBSET_DROP));
});

describe("the seccomp filter", () => {
  test("the command's last op, in the init's child: the init stays unfiltered", () => {
    const p = planOf({ seccomp: { deny: ["uname"] } });
    const k = kinds(p);
    expect(k.slice(-4)).toEqual(["close_range", "faccessat", "seccomp", "execve"]);
    expect(k.indexOf("seccomp")).toBeGreaterThan(p.initStart!);
    expect(p.ops.at(-2)!.detail).toContain("  uname → errno EPERM  # deny");
  });

  test("kills under an init go through the init's listener; without one, by signal", () => {
    const withInit = planOf({ seccomp: { deny: ["uname"], deny_action: "kill" } });
    expect(withInit.ops.at(-2)).toMatchObject({ kind: "seccomp_listener", args: [expect.any(Uint8Array), 8, { slot: "listener" }] });
    const pid1 = planOf({ seccomp: { deny: ["uname"], deny_action: "kill" }, as_pid_1: true });
    expect(pid1.ops.at(-2)).toMatchObject({ kind: "seccomp", args: [expect.any(Uint8Array), 0] });
    expect(pid1.initStart).toBeNull();
  });

  test("a filter that blocks sendmsg cannot hand its listener over: it kills by signal", () => {
    expect(planOf({ seccomp: { default: "kill", allow: ["read"] } }).ops.at(-2)!.kind).toBe("seccomp");
    expect(planOf({ seccomp: { deny: ["sendmsg", "uname"], deny_action: "kill" } }).ops.at(-2)!.kind).toBe("seccomp");
    expect(planOf({ seccomp: { default: "kill", allow: ["read", "sendmsg"] } }).ops.at(-2)!.kind).toBe("seccomp_listener");
  });

  test("the listener's filter notifies where the plain one kills", () => {
    const listener = planOf({ seccomp: { default: "kill", allow: ["read", "sendmsg"] } });
    const plain = planOf({ seccomp: { default: "kill", allow: ["read"] }, as_pid_1: true });
    /** The k of every `ret` instruction (BPF_RET|BPF_K = 0x06). */
    const rets = (p: Plan) => {
      const bytes = p.ops.at(-2)!.args[0] as Uint8Array;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return Array.from({ length: bytes.length / 8 }, (_, i) => i).filter((i) => view.getUint16(i * 8, true) === 0x06).map((i) => view.getUint32(i * 8 + 4, true));
    };
    expect(rets(listener)).toContain(0x7fc00000);
    expect(rets(plain)).not.toContain(0x7fc00000);
    // The arch and x32 checks kill by signal in both: their numbers are not this table's.
    expect(rets(listener).filter((r) => r === 0x80000000).length).toBe(2);
  });
});

test("supplementary groups ride on setgroups, gid first", () => {
  const root = fixedHost(0);
  const config = resolveConfig({ file: null, cli: { gid: 0, groups: ["27", "100"], unshare: ["fs"] }, command: ["/bin/true"] }, root);
  expect(buildPlan(config, root).ops.find((o) => o.kind === "setgroups")).toMatchObject({ args: [[0, 27, 100]], origin: { path: "groups" } });
});

test("with a rootfs and hooks: cgroup namespace first, limits before hook_as_root, the command looked up in the new root, the filter after hook_as_user", () => {
  const cli = { rootfs: "/ns/001", hook_as_root: ["exec:true"], hook_as_user: ["exec:id -u"], limits: { pids: 10, rlimit_nofile: 64 }, seccomp: { deny: ["uname"] } };
  const p = buildPlan(resolveConfig({ file: null, cli, command: ["uname"] }, host), host);
  const k = kinds(p);
  const first = (kind: string, path?: string) => at(p, (o) => o.kind === kind && (path === undefined || o.origin.path === path));
  const [cgroupNs, firstMount, pivot] = [first("unshare", "unshare.cgroup"), first("mount"), first("pivot_root")];
  expect(cgroupNs).toBeGreaterThan(k.indexOf("wait_parent"));
  expect(firstMount).toBeGreaterThan(cgroupNs);
  const [ifUp, rlimit, asRoot, asUser] = [k.indexOf("if_up"), k.indexOf("setrlimit"), first("exec_wait", "hook_as_root[0]"), first("exec_wait", "hook_as_user[0]")];
  expect(pivot < ifUp && ifUp < rlimit && rlimit < asRoot && asRoot < asUser).toBe(true);
  // The command's lookup and filter, in the init's child, come after every hook.
  expect(k.slice(-4)).toEqual(["close_range", "faccessat", "seccomp", "execve"]);
  expect(p.initStart!).toBeGreaterThan(asUser);
  expect(p.ops.at(-3)).toMatchObject({ kind: "faccessat", args: ["uname", expect.stringContaining("/bin")] });
});
