// Stage 5 (launch) and 2 (plan): nsjail join without a kernel — what the socket's answer or a
// process's /proc becomes (an Offer), which checks refuse it, and the plan that enters it.
import { describe, expect, test } from "bun:test";
import type { JoinRequest } from "../../../src/config/join.ts";
import { SyscallError } from "../../../src/errors.ts";
import { offerFromPid, type ProcReader } from "../../../src/launch/join-pid.ts";
import { offerFromSocket } from "../../../src/launch/join-socket.ts";
import { planJoin, type Offer } from "../../../src/launch/join.ts";
import { NSTYPE } from "../../../src/plan/join.ts";
import { describePlan } from "../../../src/plan/describe.ts";
import { encodeSetnsMessage } from "../../../src/wire/setns.ts";
import { FakeProcFds, FakeSockets, TERMS } from "../../support/fake-setns.ts";
import { fakeHost, rootHost, userHost } from "../config/fake-host.ts";

const smallHost = fakeHost({ capLastCap: 1 });
const request = (over: Partial<JoinRequest> = {}): JoinRequest => ({
  target: { socket: "/s" }, only: null, waitSeconds: 0, command: ["/bin/sh"], dryRun: false, logLevel: "info", ...over,
});

/** A socket whose answer is TERMS with fds 40.. of the right namespace types. */
function served(uid = 1000, terms = TERMS) {
  const sockets = new FakeSockets();
  const proc = new FakeProcFds();
  sockets.peer = { pid: 1, uid, gid: uid };
  const fds = [...terms.namespaces.map((_, i) => 40 + i), ...(terms.root ? [49] : [])];
  terms.namespaces.forEach((ns, i) => proc.types.set(40 + i, NSTYPE[ns]));
  sockets.incoming = [{ data: encodeSetnsMessage({ terms }), fds }];
  return { sockets, proc };
}

describe("offerFromSocket", () => {
  test("our own server's terms and fds", async () => {
    const { sockets, proc } = served();
    const offer = await offerFromSocket("/s", 0, sockets, proc, userHost);
    expect([...offer.namespaces]).toEqual([["user", 40], ["fs", 41], ["net", 42]]);
    expect(offer).toMatchObject({ source: "setns socket /s", confined: false, root: 49, cwd: "/srv", creds: TERMS.creds });
    expect(sockets.calls).toContainEqual(["timeout", 30, 10000]);
    expect(sockets.calls.at(-1)).toEqual(["close", 30]);
  });

  test("a refusal, a bad line and a short line are errors; the fds are closed", async () => {
    const refused = served();
    refused.sockets.incoming = [{ data: encodeSetnsMessage({ refused: "no" }), fds: [] }];
    expect(offerFromSocket("/s", 0, refused.sockets, refused.proc, userHost)).rejects.toThrow("setns socket /s: refused: no");
    const bad = served();
    bad.sockets.incoming = [{ data: Buffer.from('{"nsjail_setns":9}\n'), fds: [40] }];
    expect(offerFromSocket("/s", 0, bad.sockets, bad.proc, userHost)).rejects.toThrow("setns socket /s: bad message: protocol version 9, this nsjail speaks 1");
    expect(bad.sockets.calls).toContainEqual(["close", 40]);
    const short = served();
    short.sockets.incoming = [{ data: Buffer.from('{"nsjail'), fds: [40] }];
    expect(offerFromSocket("/s", 0, short.sockets, short.proc, userHost)).rejects.toThrow("setns socket /s: the answer is not one complete line");
    expect(short.sockets.calls).toContainEqual(["close", 40]);
  });

  test("the fds must match the line: their number and each namespace's type", async () => {
    const few = served();
    few.sockets.incoming = [{ data: encodeSetnsMessage({ terms: TERMS }), fds: [40] }];
    expect(offerFromSocket("/s", 0, few.sockets, few.proc, userHost)).rejects.toThrow("setns socket /s: 1 fds came with a message that names 4");
    const wrong = served();
    wrong.proc.types.set(42, NSTYPE.uts);
    expect(offerFromSocket("/s", 0, wrong.sockets, wrong.proc, userHost)).rejects.toThrow("the fd sent for the net namespace is another kind of namespace");
  });

  test("a stranger's namespaces must all belong to the user namespace it offers", async () => {
    const ok = served(4321);
    ok.proc.ids.set(40, "U");
    for (const fd of [41, 42]) ok.proc.owners.set(fd, "U");
    expect((await offerFromSocket("/s", 0, ok.sockets, ok.proc, rootHost)).confined).toBe(true);
    const trap = served(4321);
    trap.proc.ids.set(40, "U");
    trap.proc.owners.set(41, "U");
    expect(offerFromSocket("/s", 0, trap.sockets, trap.proc, rootHost)).rejects.toThrow(
      "setns socket /s (served by uid 4321, not root or you): its net namespace is not owned by the user namespace it offers",
    );
    const noUser = served(4321, { ...TERMS, namespaces: ["fs", "net"] });
    expect(offerFromSocket("/s", 0, noUser.sockets, noUser.proc, rootHost)).rejects.toThrow("offers no user namespace to enter first");
  });

  test("no socket: the error says what to do, and --wait retries until it comes", async () => {
    const missing = served();
    missing.sockets.connectErrors = [new SyscallError("connect", 2, "/s")];
    expect(offerFromSocket("/s", 0, missing.sockets, missing.proc, userHost)).rejects.toThrow(
      "connect /s: ENOENT (No such file or directory) — is a jail running with setns_socket = /s? (--wait SECONDS waits for it)",
    );
    const late = served();
    late.sockets.connectErrors = [new SyscallError("connect", 2, "/s"), new SyscallError("connect", 111, "/s")];
    await offerFromSocket("/s", 1, late.sockets, late.proc, userHost);
    expect(late.sockets.calls.filter((c) => c[0] === "connect")).toHaveLength(3);
  });
});

const offer = (over: Partial<Offer> = {}): Offer => ({
  source: "test", confined: false, namespaces: new Map([["user", 40], ["fs", 41], ["net", 42]]), root: 49, cwd: "/srv",
  userns: true, creds: { uid: 0, gid: 0, caps: [1], setgroups: false, groups: [] }, hostUid: 1000, hostGid: 1000, hostGroups: [27],
  env: ["PATH=/bin"], restrictions: TERMS.restrictions, ...over,
});

describe("planJoin", () => {
  test("the whole plan: user first, mount last, fork, root, limits, creds, seccomp right before execve", () => {
    const launch = planJoin(offer(), request(), rootHost);
    expect(launch.slots).toEqual({ ns_user: 40, ns_fs: 41, ns_net: 42, root: 49 });
    expect(launch.unused).toEqual([]);
    expect(describePlan({ ...launch.plan, ops: launch.plan.ops.filter((o) => !(o.kind === "prctl" && o.args[0] === 24)) })).toEqual([
      "execveat(nsjail-exec) in nsjail's own process",
      " 0 setgroups([27])  # [join] take the jail's supplementary groups",
      " 1 setns(<ns_user>, 0x10000000)  # [join] enter the jail's user namespace",
      " 2 setns(<ns_net>, 0x40000000)  # [join] enter the jail's net namespace",
      " 3 setns(<ns_fs>, 0x20000)  # [join] enter the jail's mount namespace",
      " 4 fork_wait()  # [join] fork the command into the jail's pid namespace",
      " 5 prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)  # [join] die with the waiting parent",
      " 6 fchdir(<root>)  # [join] enter the jail's root",
      ' 7 chroot(".")  # [join] chroot into the jail\'s root',
      " 8 setrlimit(RLIMIT_NOFILE, 0x40, RLIM_INFINITY)  # [limits.rlimit_nofile] rlimit nofile",
      " 9 setpriority(PRIO_PROCESS, 0, -5)  # [limits.nice] nice -5",
      "10 sched_setaffinity([3])  # [limits.cpu_affinity] cpus 0,1",
      "11 setresgid(0, 0, 0)  # [gid] setresgid 0",
      "12 setresuid(0, 0, 0)  # [uid] setresuid 0",
      "13 prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)  # [supervisor] die with nsjail again after the id change",
      "14 check_parent(<sync_read>)  # [supervisor] check that nsjail is still there",
      "15 capset(CAP_DAC_OVERRIDE, CAP_DAC_OVERRIDE, CAP_DAC_OVERRIDE)  # [cap] keep CAP_DAC_OVERRIDE",
      "16 prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) optional  # [cap] clear the ambient set",
      "17 prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # [security] no_new_privs",
      "18 setsid()  # [security] new session (setsid)",
      '19 chdir("/srv")  # [chdir] chdir /srv',
      "20 close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)  # [pass_fd] close fds ≥ 3 on exec",
      // A failed execve is reported with write(2), which the filter may block: looked up first.
      '21 faccessat("/bin/sh", NULL)  # [command] execve /bin/sh',
      "22 seccomp(<8 bytes>, 0)  # [seccomp] install the filter",
      '23 execve("/bin/sh", ["/bin/sh"], ["PATH=/bin", "TERM=xterm-256color"], NULL)  # [command] execve /bin/sh',
    ]);
    expect(launch.plan.ops.filter((o) => o.kind === "prctl" && o.args[0] === 24).map((o) => o.args[1])).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    expect(launch.plan.inplace).toBe(true);
  });

  test("--ns: only those; the root comes with the mount namespace; the rest is closed", () => {
    const launch = planJoin(offer(), request({ only: new Set(["user", "net"]) }), userHost);
    expect(launch.slots).toEqual({ ns_user: 40, ns_net: 42 });
    expect(launch.unused).toEqual([41, 49]);
    expect(launch.plan.ops.some((o) => o.kind === "fchdir")).toBe(false);
    // The owner, not root: its groups are the jail's already.
    expect(launch.plan.ops[0]!.kind).toBe("setns");
  });

  test("staying out of the jail's user namespace: its host ids, no capabilities", () => {
    const ops = planJoin(offer(), request({ only: new Set(["net"]) }), rootHost).plan.ops;
    expect(ops.filter((o) => o.kind === "setresuid" || o.kind === "setgroups" || o.kind === "capset").map((o) => [o.kind, o.args])).toEqual([
      ["setgroups", [[1000]]], ["setresuid", [1000, 1000, 1000]], ["capset", [0n, 0n, 0n]],
    ]);
  });

  test("refusals: a namespace not offered; a stranger's offer without its user namespace", () => {
    expect(() => planJoin(offer(), request({ only: new Set(["pid"]) }), userHost)).toThrow("test does not offer pid (a namespace the jail does not unshare, or one its setns_skip leaves out)");
    expect(() => planJoin(offer({ confined: true }), request({ only: new Set(["net"]) }), rootHost)).toThrow("test is not served by root or you: --ns must include user");
    expect(planJoin(offer({ confined: true }), request(), rootHost).plan.ops[0]!.args).toEqual([[]]);
  });

  test("a cwd fd (join --pid) is entered after the root", () => {
    const launch = planJoin(offer({ cwd: 50 }), request(), userHost);
    expect(launch.slots.cwd).toBe(50);
    const kinds = launch.plan.ops.map((o) => o.kind);
    expect(kinds.slice(kinds.indexOf("chroot"), kinds.indexOf("chroot") + 2)).toEqual(["chroot", "fchdir"]);
    expect(launch.plan.ops.find((o) => o.kind === "chdir")!.args).toEqual(["."]);
  });
});

/** A fake /proc: files and links by path. */
function fakeProc(files: Record<string, string>, links: Record<string, string>): ProcReader {
  const miss = (p: string) => Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: "ENOENT" });
  return {
    read: (p) => files[p] ?? (() => { throw miss(p); })(),
    link: (p) => links[p] ?? (() => { throw miss(p); })(),
  };
}

const LIMITS = (nofile: string) =>
  ["Limit                     Soft Limit           Hard Limit           Units     ",
   ...Array.from({ length: 16 }, (_, r) => `${`Max r${r}`.padEnd(26)}${r === 7 ? nofile : "unlimited            unlimited            "}`)].join("\n");

function jailProc(status: string, extra: Record<string, string> = {}) {
  const links: Record<string, string> = {};
  for (const ns of ["user", "mnt", "pid", "net", "uts", "ipc", "cgroup", "time"]) {
    links[`/proc/self/ns/${ns}`] = `${ns}:[1]`;
    links[`/proc/7/ns/${ns}`] = ns === "time" || ns === "cgroup" ? `${ns}:[1]` : `${ns}:[2]`;
  }
  return fakeProc({
    "/proc/5/cmdline": "nsjail-init\x0056\x00", "/proc/5/task/5/children": "7 9 ",
    "/proc/7/cmdline": "sleep\x00", "/proc/7/status": status, "/proc/7/uid_map": "         0      65534          1\n",
    "/proc/7/gid_map": "         0      65534          1\n", "/proc/7/setgroups": "deny\n", "/proc/7/environ": "PATH=/bin\x00HOME=/\x00",
    "/proc/7/limits": LIMITS("1024                 2048                 "), "/proc/self/limits": LIMITS("4096                 4096                 "),
    ...extra,
  }, links);
}

const STATUS = "Name:\tsleep\nUid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65534\nGroups:\t65534 \nCapPrm:\t0000000000000402\nCapBnd:\t0000000000000400\nSeccomp:\t0\n";

describe("offerFromPid", () => {
  test("an init stands for its command; ids mapped inside; caps both permitted and bounded; lower rlimits", () => {
    const proc = new FakeProcFds();
    const o = offerFromPid(5, proc, jailProc(STATUS), userHost);
    expect(o.source).toBe("process 7");
    expect([...o.namespaces.keys()]).toEqual(["fs", "ipc", "pid", "uts", "net", "user"]);
    expect(o.creds).toEqual({ uid: 0, gid: 0, caps: [10], setgroups: false, groups: [] });
    expect(o).toMatchObject({ userns: true, hostUid: 65534, hostGid: 65534, hostGroups: [65534], env: ["PATH=/bin", "HOME=/"] });
    expect(o.restrictions.map((r) => r.args)).toEqual([[7, 1024n, 2048n]]);
    // Both pidfds are closed, every fd of the offer is open.
    const closed = proc.calls.filter((c) => c[0] === "close").map((c) => c[1]);
    expect(closed).toHaveLength(2);
    expect([o.root, o.cwd, ...o.namespaces.values()].some((f) => closed.includes(f as number))).toBe(false);
  });

  test("a seccomp filter cannot be copied: refused, every fd closed", () => {
    const proc = new FakeProcFds();
    expect(() => offerFromPid(7, proc, jailProc(STATUS.replace("Seccomp:\t0", "Seccomp:\t2")), userHost)).toThrow(
      "process 7 runs under a seccomp filter, which join --pid cannot copy: join through the jail's setns_socket, which sends it",
    );
    const opened = proc.calls.filter((c) => c[0] === "open").length;
    expect(proc.calls.filter((c) => c[0] === "close")).toHaveLength(opened);
  });

  test("a process that died meanwhile, and one that shares every namespace", () => {
    const proc = new FakeProcFds();
    proc.alive = false;
    expect(() => offerFromPid(7, proc, jailProc(STATUS), userHost)).toThrow("process 7 exited while it was being joined");
    expect(proc.calls.filter((c) => c[0] === "close")).toHaveLength(proc.calls.filter((c) => c[0] === "open").length);
    const same = fakeProc({ "/proc/7/cmdline": "x", "/proc/7/status": STATUS }, { ...Object.fromEntries(["user", "mnt", "pid", "net", "uts", "ipc", "cgroup", "time"].flatMap((n) => [[`/proc/7/ns/${n}`, "x"], [`/proc/self/ns/${n}`, "x"]])) });
    expect(() => offerFromPid(7, new FakeProcFds(), same, userHost)).toThrow("process 7 shares every namespace with nsjail: nothing to join");
  });

  test("namespace files nobody may read: only root and the owner may join", () => {
    const denied = fakeProc({ "/proc/7/cmdline": "x", "/proc/7/status": STATUS }, {});
    expect(() => offerFromPid(7, new FakeProcFds(), denied, userHost)).toThrow(/^process 7: ENOENT.* — only root and the jail's owner may join it$/);
  });
});
