// Stage 5 (supervisor): what the setns socket answers each peer, with recording fakes — who
// is let in, what is sent, what is logged, and that nothing is ever read from a peer.
import { describe, expect, test } from "bun:test";
import { createLogger } from "../../../src/log.ts";
import { buildPlan } from "../../../src/plan/build.ts";
import { op } from "../../../src/plan/types.ts";
import { answerPeer, joinTerms, type PeerContext } from "../../../src/supervisor/setns-peers.ts";
import { encodeSetnsMessage } from "../../../src/wire/setns.ts";
import { SyscallError } from "../../../src/errors.ts";
import { configOf, rootHost, userHost } from "../config/fake-host.ts";
import { FakeProcFds, FakeSockets, TERMS } from "../../support/fake-setns.ts";

const CMD = 'command = ["/bin/true"]\n';

function context(toml: string, over: Partial<PeerContext> = {}) {
  const lines: string[] = [];
  const sockets = new FakeSockets();
  const proc = new FakeProcFds();
  const ctx: PeerContext = {
    sockets, proc, log: createLogger("debug", (l) => void lines.push(l.trim())),
    config: configOf(`${CMD}setns_socket = "/run/j.sock"\n${toml}`), selfUid: 1000,
    terms: TERMS, message: encodeSetnsMessage({ terms: TERMS }), preopened: null, ...over,
  };
  return { ctx, sockets, proc, lines };
}

const sent = (s: FakeSockets) => s.calls.filter((c) => c[0] === "send");

describe("answerPeer", () => {
  test("our own uid gets the terms with freshly opened fds, which are then closed", () => {
    const { ctx, sockets, proc, lines } = context("");
    expect(answerPeer(ctx, 9).length).toBe(0);
    expect(sent(sockets)).toEqual([["send", 9, new TextDecoder().decode(ctx.message), [100, 101, 102, 103]]]);
    expect(proc.calls).toEqual([
      ["open", "/proc/4242/ns/user", 100], ["open", "/proc/4242/ns/mnt", 101], ["open", "/proc/4242/ns/net", 102],
      ["open", "/proc/4242/root", 103], ["close", 100], ["close", 101], ["close", 102], ["close", 103],
    ]);
    expect(lines).toEqual(["nsjail: setns socket /run/j.sock: uid 1000 gid 1000 (pid 77) joins the jail"]);
    expect(sockets.calls.some((c) => c[0] === "receive")).toBe(false);
  });

  test("preopened fds are sent as they are and kept", () => {
    const { ctx, sockets, proc } = context("setns_preopen = true", { preopened: [5, 6, 7, 8] });
    answerPeer(ctx, 9);
    expect(sent(sockets)[0]![3]).toEqual([5, 6, 7, 8]);
    expect(proc.calls).toEqual([]);
  });

  test("root is let in; a stranger is refused with a line and a warning, and gets no fds", () => {
    const root = context("");
    root.sockets.peer = { pid: 1, uid: 0, gid: 0 };
    answerPeer(root.ctx, 9);
    expect(sent(root.sockets)[0]![3]).toHaveLength(4);

    const { ctx, sockets, proc, lines } = context("");
    sockets.peer = { pid: 66, uid: 1001, gid: 1001 };
    answerPeer(ctx, 9);
    expect(sent(sockets)).toEqual([["send", 9, '{"nsjail_setns":1,"error":"uid 1001 may not join this jail: only uid 1000, root and setns_allow may"}\n', []]]);
    expect(proc.calls).toEqual([]);
    expect(lines).toEqual(["nsjail: warn: setns socket /run/j.sock: refused uid 1001 gid 1001 (pid 66): not nsjail's uid 1000, root, or in setns_allow"]);
  });

  test("setns_allow lets in a uid, a primary group or a supplementary group", () => {
    const toml = 'setns_allow = ["1001", "group:users"]';
    for (const [peer, groups] of [[{ pid: 1, uid: 1001, gid: 5 }, []], [{ pid: 1, uid: 7, gid: 100 }, []], [{ pid: 1, uid: 7, gid: 5 }, [3, 100]]] as const) {
      const { ctx, sockets } = context(toml);
      sockets.peer = peer;
      sockets.groups = [...groups];
      answerPeer(ctx, 9);
      expect(sent(sockets)[0]![3]).toHaveLength(4);
    }
    const { ctx, sockets } = context(toml);
    sockets.peer = { pid: 1, uid: 7, gid: 5 };
    sockets.groups = [6];
    answerPeer(ctx, 9);
    expect(sent(sockets)[0]![3]).toEqual([]);
  });

  test("a peer that is gone before it is seen costs a debug line", () => {
    const { ctx, sockets, lines } = context("");
    sockets.peer = new SyscallError("getsockopt(SO_PEERCRED)", 107);
    expect(answerPeer(ctx, 9).length).toBe(0);
    expect(sent(sockets)).toEqual([]);
    expect(lines[0]).toStartWith("nsjail: debug: setns socket /run/j.sock: a peer left before it was seen");
  });

  test("a jail whose namespaces cannot be opened refuses, naming the errno", () => {
    const { ctx, sockets, proc, lines } = context("");
    proc.failOpen = new SyscallError("open", 2, "/proc/4242/ns/user");
    answerPeer(ctx, 9);
    expect(sent(sockets)[0]![2]).toBe('{"nsjail_setns":1,"error":"the jail\'s namespaces cannot be opened: ENOENT"}\n');
    expect(lines[0]).toContain("cannot serve uid 1000 gid 1000 (pid 77): open /proc/4242/ns/user: ENOENT");
  });

  test("a full buffer hands back the rest; a send that fails hands back nothing", () => {
    const partial = context("");
    partial.sockets.sendResult = () => 10;
    expect(answerPeer(partial.ctx, 9)).toEqual(partial.ctx.message.subarray(10));
    const gone = context("");
    gone.sockets.sendResult = () => -32;
    expect(answerPeer(gone.ctx, 9).length).toBe(0);
  });
});

describe("joinTerms", () => {
  test("a rootless jail: inside ids, host ids through the map, nsjail's groups, the plan's restrictions", () => {
    const config = configOf(`${CMD}setns_socket = "/s"\nuid = 0\ngid = 0\nuid_map = ["0:1000:1"]\ngid_map = ["0:1000:1"]\nchdir = "/tmp"\nenv = ["A=1"]`);
    const plan = buildPlan(config, userHost);
    const filter = op("seccomp", [new Uint8Array(8), 0], { path: "seccomp", note: "filter" });
    const terms = joinTerms(config, { ...plan, ops: [...plan.ops, filter] }, userHost, 99, [1000, 27]);
    expect(terms).toEqual({
      pid: 99, namespaces: ["fs", "ipc", "pid", "uts", "net", "user", "cgroup"], root: true, cwd: "/tmp", userns: true,
      creds: { uid: 0, gid: 0, caps: [], setgroups: false, groups: [] }, hostUid: 1000, hostGid: 1000, hostGroups: [1000, 27],
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TERM=xterm-256color", "LANG=C.UTF-8", "A=1"],
      restrictions: [filter],
    });
  });

  test("root without a user namespace and without the mount namespace: host ids, no root fd", () => {
    const config = configOf(`${CMD}setns_socket = "/s"\nunshare = ["net", "uts"]\nuid = 5\ngid = 6`, rootHost);
    const terms = joinTerms(config, buildPlan(config, rootHost), rootHost, 1, [0]);
    expect(terms).toMatchObject({ namespaces: ["uts", "net"], root: false, userns: false, hostUid: 5, hostGid: 6, hostGroups: [] });
    expect(terms.creds.setgroups).toBe(true);
  });

  test("the jail's own [limits] and [seccomp]: its rlimit, supplementary groups, and a filter that kills at once", () => {
    const text = `${CMD}setns_socket = "/s"\nunshare = ["fs", "pid", "uts"]\ngroups = [27]\n[limits]\nrlimit_nofile = 64\n[seccomp]\ndeny = ["uname"]\ndeny_action = "kill"`;
    const config = configOf(text, rootHost);
    const plan = buildPlan(config, rootHost);
    // The jail's own command hands its kills to the init over a listener ...
    expect(plan.ops.map((o) => o.kind)).toContain("seccomp_listener");
    const terms = joinTerms(config, plan, rootHost, 1, [0]);
    expect(terms.creds).toMatchObject({ setgroups: true, groups: [27] });
    // ... a joined process has no such init: its twin filter kills with the kernel's own action.
    expect(terms.restrictions.map((o) => [o.kind, o.origin.path])).toEqual([["setrlimit", "limits.rlimit_nofile"], ["seccomp", "seccomp"]]);
    const listener = plan.ops.find((o) => o.kind === "seccomp_listener")!;
    expect(terms.restrictions[1]!.args[1]).toBe(0);
    expect(terms.restrictions[1]!.args[0]).not.toEqual(listener.args[0]);
  });
});
