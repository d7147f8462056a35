// nsjail join takes on the restrictions a jail's supervisor sends with its namespaces, as root
// and rootless: a real `nsjail run -c` of a config with [seccomp] and [limits] serves its
// setns socket, and a shell joined through it meets the jail's seccomp denial and rlimit from
// inside. A filter whose kills go to the jail's init over a listener reaches the joiner as its
// twin that kills with the kernel's own action.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { syscallArchOf } from "../../src/sys/syscall-names.ts";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, nsjail, removeNobodyCopy } from "../support/jail.ts";
import { uniqueSleep, waitFor } from "../support/procs.ts";

const hasSeccomp = /^Seccomp:\s/m.test(readFileSync("/proc/self/status", "utf8"));
const ok = host.binary && syscallArchOf(process.arch) !== null && hasSeccomp;
requireHost(ok, "a built ./nsjail and seccomp on x86_64 or aarch64");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

let dir = "";
const jails: Subprocess[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nsjail-join-r-"));
  chmodSync(dir, 0o1777); // uid 65534's jails put their sockets here too
});
afterAll(async () => {
  for (const j of jails) j.kill("SIGTERM");
  await Promise.all(jails.map((j) => j.exited));
  rmSync(dir, { recursive: true, force: true });
  removeNobodyCopy();
});

let count = 0;

/** `nsjail run -c FILE` of a config with `tables` (TOML) serving a setns socket, in the
 * background until the socket exists; returns the socket's path. */
async function startJail(as: As, tables: string): Promise<string> {
  const socket = join(dir, `${as}-${count}.sock`);
  const file = join(dir, `${as}-${count++}.toml`);
  const command = JSON.stringify(uniqueSleep());
  writeFileSync(file, `command = ${command}\nsetns_socket = "${socket}"\n${tables}`);
  chmodSync(file, 0o644);
  const jail = Bun.spawn([...dropTo(as), binaryFor(as), "run", "-c", file], { stdout: "ignore", stderr: "pipe", cwd: "/" });
  jails.push(jail);
  await waitFor("the jail's setns socket", () => existsSync(socket) || jail.exitCode !== null);
  if (!existsSync(socket)) throw new Error(`the jail ended first: ${await new Response(jail.stderr).text()}`);
  return socket;
}

const LIMITS = "[limits]\nrlimit_nofile = 64\n";

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  describe.skipIf(!ok || (as === "root" ? !host.root : !host.rootless))(`restrictions sent to a join as ${as}`, () => {
    test("a joined shell gets the jail's seccomp denial (errno) and its rlimit", async () => {
      const socket = await startJail(as, `${LIMITS}[seccomp]\ndeny = ["uname"]\ndeny_action = "errno"\nerrno = "EPERM"\n`);
      const script = "uname; echo uname=$?; ulimit -n; grep ^Seccomp: /proc/self/status";
      const r = nsjail(as, ["join", socket, "--", "/bin/sh", "-c", script]);
      expect(r.stderr).toMatch(/uname: cannot get system name: Operation not permitted\n$/);
      expect(r.stdout.split("\n").map((l) => l.replace(/\s+/g, " "))).toEqual(["uname=1", "64", "Seccomp: 2", ""]);
      expect(r.code).toBe(0);
    });

    test("a filter that kills: the joined process dies of SIGSYS at the denied call", async () => {
      // The jail has an init (a pid namespace), so its own command's kills go over a listener.
      const socket = await startJail(as, `${LIMITS}[seccomp]\ndeny = ["uname"]\ndeny_action = "kill"\n`);
      const r = nsjail(as, ["join", socket, "--", "/bin/sh", "-c", "uname; echo status=$?; ulimit -n"]);
      expect(r.stdout).toBe("status=159\n64\n");
      expect(r.code).toBe(0);
      // The command itself, killed at the call: nsjail join exits as the kernel's kill reads.
      expect(nsjail(as, ["join", socket, "--", "uname"]).code).toBe(159);
    });
  });
}
