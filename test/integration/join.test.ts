// nsjail join for real, as root and as an unprivileged user: a jail with its own hostname, a
// file on a tmpfs only its mount namespace has and a TCP listener on its own loopback serves a
// setns socket; everything is checked from inside the joined process.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, nsjail, removeNobodyCopy } from "../support/jail.ts";
import { pidsRunning, uniqueSleep, waitFor } from "../support/procs.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");
const hasBusybox = existsSync("/bin/busybox") || existsSync("/usr/bin/busybox");
requireHost(hasBusybox, "busybox (package busybox-static) for nc inside the jail");

const NS = ["cgroup", "ipc", "mnt", "net", "pid", "user", "uts"];
const NS_SCRIPT = NS.map((n) => `readlink /proc/self/ns/${n}`).join("; ");
const PORT = 7000 + Math.floor(Math.random() * 1000);

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nsjail-join-"));
  chownSync(dir, 65534, 65534);
  chmodSync(dir, 0o755); // strangers reach the sockets; their modes decide

});
/** Every jail a test started: stopped at the end even when an assertion failed first. */
const started: Jail[] = [];
afterAll(async () => {
  await Promise.all(started.map((j) => j.stop()));
  rmSync(dir, { recursive: true, force: true });
  removeNobodyCopy();
});

interface Jail {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  readonly socket: string;
  /** What the jail's command printed before "ready": its namespace links. */
  readonly ns: string[];
  readonly sleep: string[];
  /** Ends the jail with SIGTERM to nsjail and returns nsjail's stderr. */
  stop(): Promise<string>;
}

let count = 0;

/** Starts a jail in the background, serving a setns socket, and waits until it is ready. */
async function startJail(as: As, flags: string[] = [], body = ""): Promise<Jail> {
  const socket = join(dir, `j${count++}.sock`);
  const sleep = uniqueSleep();
  const script = `${body}${NS_SCRIPT}; echo ready; exec ${sleep.join(" ")}`;
  const argv = [...dropTo(as), binaryFor(as), "run", "--hostname", "joinhost", "--setns-socket", socket, ...flags, "--", "/bin/sh", "-c", script];
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe", cwd: "/" });
  const lines: string[] = [];
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("ready\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the jail ended before it was ready: ${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
  lines.push(...text.split("\n").slice(0, NS.length));
  reader.releaseLock();
  let stderr: Promise<string> | null = null;
  const jail: Jail = {
    proc, socket, ns: lines, sleep,
    stop() {
      proc.kill("SIGTERM");
      stderr ??= proc.exited.then(() => new Response(proc.stderr).text());
      return stderr;
    },
  };
  started.push(jail);
  return jail;
}

/** `nsjail join ARGS…` as `as`, the way a user types it. */
function join_(as: As | number, args: string[], timeoutMs = 20_000) {
  if (typeof as === "number") {
    const r = Bun.spawnSync(["setpriv", `--reuid=${as}`, `--regid=${as}`, "--clear-groups", binaryFor("nobody"), "join", ...args], { cwd: "/", timeout: timeoutMs });
    return { code: r.exitCode ?? 137, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  }
  return nsjail(as, ["join", ...args], { timeoutMs });
}

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && hasBusybox && (as === "root" ? host.root : host.rootless);
  const uid = as === "root" ? 0 : 65534;
  /** A uid that is neither the jail's owner nor root. */
  const stranger = as === "root" ? 65534 : 65533;

  describe.skipIf(!enabled)(`nsjail join as ${as}`, () => {
    let jail: Jail;
    let privateDir = "";
    beforeAll(async () => {
      privateDir = join(dir, `private-${as}`);
      mkdirSync(privateDir);
      chownSync(privateDir, 65534, 65534);
      // CAP_SYS_ADMIN in the jail's user namespace lets its command mount a tmpfs that only
      // its mount namespace sees; busybox nc listens on the jail's own loopback.
      const body = `mount -t tmpfs none ${privateDir} && echo secret > ${privateDir}/f; busybox nc -ll -p ${PORT} -e /bin/echo hello & `;
      jail = await startJail(as, ["--cap", "sys_admin"], body);
    });

    test("the joined process is in every namespace of the jail, with its hostname, files, network and processes", () => {
      const probe = [
        NS_SCRIPT, "hostname", `cat ${privateDir}/f`,
        `for i in 1 2 3 4 5 6 7 8 9 10; do r=$(busybox nc 127.0.0.1 ${PORT} </dev/null) && [ -n "$r" ] && break; sleep 0.2; done; echo "nc:$r"`,
        "tr '\\0' ' ' </proc/1/cmdline; echo", `busybox ps -o args | grep -c '^${jail.sleep.join(" ")}$'`, "pwd",
      ].join("; ");
      const r = join_(as, [jail.socket, "--", "/bin/sh", "-c", probe]);
      expect(r.stderr).toBe("");
      const out = r.stdout.trim().split("\n");
      expect(out.slice(0, NS.length)).toEqual(jail.ns);
      expect(out.slice(NS.length)).toEqual(["joinhost", "secret", "nc:hello", expect.stringMatching(/^nsjail-init /), "1", "/"]);
      expect(r.code).toBe(0);
      // Sanity: those are not the host's namespaces, and the host does not see the file.
      expect(jail.ns).not.toContain(readlinkSync("/proc/self/ns/net"));
      expect(existsSync(`${privateDir}/f`)).toBe(false);
    });

    test("the jail's uid and gid, its capabilities and no more, no_new_privs, its environment", () => {
      const r = join_(as, [jail.socket, "--", "/bin/sh", "-c", "id -u; id -g; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; echo $HOME"]);
      const capSysAdmin = (1n << 21n).toString(16).padStart(16, "0");
      expect(r.stdout.split("\n").map((l) => l.replace(/\s+/g, " "))).toEqual([
        String(uid), String(uid), `CapEff: ${capSysAdmin}`, `CapBnd: ${capSysAdmin}`, "NoNewPrivs: 1", "/", "",
      ]);
    });

    test("exit status and forwarded signals as in run", async () => {
      expect(join_(as, [jail.socket, "--", "/bin/sh", "-c", "exit 7"]).code).toBe(7);
      expect(join_(as, [jail.socket, "--", "/bin/sh", "-c", "kill -TERM $$; sleep 5"]).code).toBe(128 + 15);
      const script = 'trap "echo got-term; exit 3" TERM; echo up; while :; do sleep 0.1; done';
      const p = Bun.spawn([...dropTo(as), binaryFor(as), "join", jail.socket, "--", "/bin/sh", "-c", script], { stdout: "pipe", stderr: "pipe" });
      const reader = p.stdout.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("up\n");
      p.kill("SIGTERM");
      expect(await p.exited).toBe(3);
      expect(new TextDecoder().decode((await reader.read()).value)).toBe("got-term\n");
    });

    test("an interactive shell on a terminal (the default command)", () => {
      const line = `${[...dropTo(as), binaryFor(as), "join", jail.socket].join(" ")}`;
      const r = Bun.spawnSync(["script", "-qec", line, "/dev/null"], { stdin: Buffer.from("echo in-$(hostname); tty\nexit 4\n"), timeout: 20_000 });
      const out = r.stdout.toString();
      expect(out).toContain("in-joinhost");
      expect(out).toMatch(/\/dev\/pts\/\d+/);
      expect(r.exitCode).toBe(4);
    });

    test("--ns enters only the namespaces asked for", () => {
      const r = join_(as, ["--ns", "user,uts", jail.socket, "--", "/bin/sh", "-c", `hostname; readlink /proc/self/ns/net /proc/self/ns/mnt; cat ${privateDir}/f 2>&1 || true`]);
      expect(r.stdout.split("\n").slice(0, 3)).toEqual(["joinhost", readlinkSync("/proc/self/ns/net"), readlinkSync("/proc/self/ns/mnt")]);
      expect(r.stdout).not.toContain("secret");
      const missing = join_(as, ["--ns", "time", jail.socket]);
      expect(missing.code).toBe(255);
      expect(missing.stderr).toBe(`nsjail: setns socket ${jail.socket} does not offer time (a namespace the jail does not unshare, or one its setns_skip leaves out)\n`);
    });

    test("join --pid enters the jail of a process", () => {
      const [pid] = pidsRunning(jail.sleep.join(" "));
      expect(pid).toBeDefined();
      const r = join_(as, ["--pid", String(pid), "--", "/bin/sh", "-c", `${NS_SCRIPT}; hostname; id -u; cat ${privateDir}/f`]);
      expect(r.stderr).toBe("");
      expect(r.stdout.trim().split("\n")).toEqual([...jail.ns, "joinhost", String(uid), "secret"]);
    });

    test("a peer that is not allowed: the kernel refuses it at 0600, the server with setns_allow", async () => {
      const closed = join_(stranger, [jail.socket, "--", "/bin/true"]);
      expect(closed.code).toBe(255);
      expect(closed.stderr).toStartWith(`nsjail: connect ${jail.socket}: EACCES (Permission denied)`);
      const open = await startJail(as, ["--setns-allow", "12345"]);
      expect(lstatSync(open.socket).mode & 0o777).toBe(0o666);
      const r = join_(stranger, [open.socket, "--", "/bin/true"]);
      expect(r.stderr).toBe(`nsjail: setns socket ${open.socket}: refused: uid ${stranger} may not join this jail: only uid ${uid}, root and setns_allow may\n`);
      expect(r.code).toBe(255);
      expect(await open.stop()).toContain(`nsjail: warn: setns socket ${open.socket}: refused uid ${stranger} gid ${stranger}`);
    });

    test("setns_skip leaves a namespace out", async () => {
      const skipping = await startJail(as, ["--setns-skip", "net"]);
      const r = join_(as, [skipping.socket, "--", "/bin/sh", "-c", NS_SCRIPT]);
      const net = NS.indexOf("net");
      const got = r.stdout.trim().split("\n");
      expect(got[net]).toBe(readlinkSync("/proc/self/ns/net"));
      expect(got.filter((_, i) => i !== net)).toEqual(skipping.ns.filter((_, i) => i !== net));
      await skipping.stop();
    });

    test("clients that stall, send garbage or die halfway leave the server serving", async () => {
      const peers = await Promise.all(
        Array.from({ length: 20 }, () => Bun.connect({ unix: jail.socket, socket: { data() {} } }).catch(() => null)),
      );
      for (const [i, p] of peers.entries()) if (p && i % 2 === 0) p.write("garbage\n\0\xff".repeat(100));
      // Root's bun: the test runner's binary may be out of uid 65534's reach on CI.
      const killed = Bun.spawn([process.execPath, "-e", `await Bun.connect({unix: ${JSON.stringify(jail.socket)}, socket: {data() {}}}); console.log("connected"); await Bun.sleep(60000)`], { stdout: "pipe" });
      await killed.stdout.getReader().read();
      killed.kill("SIGKILL");
      await killed.exited;
      expect(join_(as, [jail.socket, "--", "hostname"]).stdout).toBe("joinhost\n");
      for (const p of peers) p?.end();
    });

    test("the socket is gone when the jail ends, and after SIGTERM or SIGINT to nsjail", async () => {
      const short = join(dir, `short-${as}.sock`);
      const r = nsjail(as, ["run", "--setns-socket", short, "--", "/bin/true"]);
      expect(r.code).toBe(0);
      expect(existsSync(short)).toBe(false);
      const j = await startJail(as);
      expect(lstatSync(j.socket).isSocket()).toBe(true);
      await j.stop();
      expect(existsSync(j.socket)).toBe(false);
      const interrupted = await startJail(as);
      interrupted.proc.kill("SIGINT");
      expect(await interrupted.proc.exited).toBe(128 + 2);
      expect(existsSync(interrupted.socket)).toBe(false);
    });

    test("a stale socket is replaced; a symlink or a file in the way is refused and left alone", async () => {
      const stale = join(dir, `stale-${as}.sock`);
      const holder = Bun.spawn([process.execPath, "-e", `Bun.listen({unix: ${JSON.stringify(stale)}, socket: {data() {}}}); require("fs").chmodSync(${JSON.stringify(stale)}, 0o777); console.log("up"); await Bun.sleep(60000)`], { stdout: "pipe" });
      await holder.stdout.getReader().read();
      const busy = nsjail(as, ["run", "--setns-socket", stale, "--", "/bin/true"]);
      expect(busy.stderr).toBe(`nsjail: setns_socket ${stale}: another process serves on this socket\n`);
      holder.kill("SIGKILL");
      await holder.exited;
      expect(lstatSync(stale).isSocket()).toBe(true);
      expect(nsjail(as, ["run", "--setns-socket", stale, "--", "/bin/true"]).code).toBe(0);
      expect(existsSync(stale)).toBe(false);

      const target = join(dir, `target-${as}`);
      writeFileSync(target, "keep");
      const link = join(dir, `link-${as}.sock`);
      symlinkSync(target, link);
      const r = nsjail(as, ["run", "--setns-socket", link, "--", "/bin/true"]);
      expect(r.code).toBe(255);
      expect(r.stderr).toBe(`nsjail: setns_socket ${link}: a symbolic link is in the way (only a stale socket is replaced)\n`);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(nsjail(as, ["run", "--setns-socket", target, "--", "/bin/true"]).stderr).toContain("a file that is not a socket is in the way");
    });

    test("a line longer than the socket's buffer arrives whole, beside a peer that never reads", async () => {
      const big = "a".repeat(120_000);
      const j = await startJail(as, ["--env", `A=${big}`, "--env", `B=${big}`, "--env", `C=${big}`]);
      const idle = await Bun.connect({ unix: j.socket, socket: { data() {} } });
      idle.pause?.();
      for (let i = 0; i < 3; i++) expect(join_(as, [j.socket, "--", "/bin/sh", "-c", 'echo ${#A} ${#B} ${#C}']).stdout).toBe("120000 120000 120000\n");
      idle.end();
      await j.stop();
    });

    test("nsjail test serves, joins and removes a setns socket", () => {
      expect(nsjail(as, ["test"]).stdout).toMatch(/^ok +setns socket +served, joined and removed$/m);
    });

    test("--wait: a join started before its jail gets in once the jail is up", async () => {
      const late = join(dir, `late-${as}.sock`);
      const joiner = Bun.spawn([...dropTo(as), binaryFor(as), "join", "--wait", "10", late, "--", "hostname"], { stdout: "pipe", stderr: "pipe" });
      await Bun.sleep(300);
      const r = Bun.spawn([...dropTo(as), binaryFor(as), "run", "--hostname", "latehost", "--setns-socket", late, "--", "/bin/sh", "-c", "sleep 3"], { stdout: "ignore", stderr: "ignore" });
      expect(await joiner.exited).toBe(0);
      expect(await new Response(joiner.stdout).text()).toBe("latehost\n");
      r.kill("SIGTERM");
      await r.exited;
      await waitFor("the late socket to go", () => !existsSync(late));
    });
  });
}
