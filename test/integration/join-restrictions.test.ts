// nsjail join takes on the restrictions a jail's supervisor sends with its namespaces: a
// seccomp filter and an rlimit, as root and rootless. The jail is real; its terms come from
// the server's own joinTerms() with the ops a [seccomp] table and rlimits would add to its
// plan, served from this test process with the server's sendmsg, so the client's half is
// checked from inside before run's own seccomp planner exists.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readHostFacts } from "../../src/config/host.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { buildPlan } from "../../src/plan/build.ts";
import { compileFilter } from "../../src/plan/seccomp/compile.ts";
import { op } from "../../src/plan/types.ts";
import { joinTerms, openJailFds } from "../../src/supervisor/setns-peers.ts";
import { syscallArchOf } from "../../src/sys/syscall-names.ts";
import { encodeSetnsMessage } from "../../src/wire/setns.ts";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, removeNobodyCopy } from "../support/jail.ts";
import { pidsRunning, uniqueSleep, waitFor } from "../support/procs.ts";

const arch = syscallArchOf(process.arch);
const hasSeccomp = /^Seccomp:\s/m.test(readFileSync("/proc/self/status", "utf8"));
const ok = host.binary && host.root && arch !== null && hasSeccomp;
requireHost(ok, "root, a built ./nsjail and seccomp on x86_64 or aarch64");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

const RLIMIT_NOFILE = 7;

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nsjail-join-r-"));
  chmodSync(dir, 0o755);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeNobodyCopy();
});

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  describe.skipIf(!ok || (as === "nobody" && !host.rootless))(`restrictions sent to a join as ${as}`, () => {
    test("the joined process runs under the jail's seccomp filter and rlimits", async () => {
      const { procFds } = await import("../../src/sys/proc-fds.ts");
      const { unixSockets } = await import("../../src/sys/unix-socket.ts");
      const sleep = uniqueSleep();
      const jail = Bun.spawn([...dropTo(as), binaryFor(as), "run", "--", ...sleep], { stdout: "ignore", stderr: "ignore" });
      const socket = join(dir, `${as}.sock`);
      let fds: number[] = [];
      let message: Uint8Array = new Uint8Array(0);
      const server = Bun.listen({
        unix: socket,
        socket: {
          open(s) {
            unixSockets.sendWithFds((s as unknown as { fd: number }).fd, message, fds);
            s.terminate();
          },
          data() {},
        },
      });
      chmodSync(socket, 0o777); // a test server: whoever the client runs as may connect
      try {
        await waitFor("the jail's command", () => pidsRunning(sleep.join(" ")).length === 1);
        const [pid] = pidsRunning(sleep.join(" "));
        const facts = { ...readHostFacts(), uid: as === "root" ? 0 : 65534, gid: as === "root" ? 0 : 65534 };
        const config = resolveConfig({ file: null, cli: { setns_socket: socket }, command: sleep }, facts);
        const plan = buildPlan(config, facts);
        const filter = compileFilter({ defaultAction: "allow", allow: [], deny: ["uname"], denyAction: "errno", errno: 1, nestedUserns: true }, arch!);
        const restrictions = [
          op("setrlimit", [RLIMIT_NOFILE, 64, 64], { path: "limits.rlimit_nofile", note: "rlimit nofile 64" }),
          op("seccomp", [filter, 0], { path: "seccomp", note: "install the seccomp filter" }),
        ];
        const terms = joinTerms(config, { ...plan, ops: [...plan.ops, ...restrictions] }, facts, pid!, []);
        fds = openJailFds(procFds, pid!, terms);
        message = encodeSetnsMessage({ terms });
        // Served by root: the client trusts the terms whoever it runs as.
        const client = Bun.spawn([...dropTo(as), binaryFor(as), "join", socket, "--", "/bin/sh", "-c", "uname; echo uname=$?; ulimit -n; grep ^Seccomp: /proc/self/status"], { stdout: "pipe", stderr: "pipe" });
        const [out, err, code] = await Promise.all([new Response(client.stdout).text(), new Response(client.stderr).text(), client.exited]);
        expect(err).toMatch(/uname: cannot get system name: Operation not permitted\n$/);
        expect(out.split("\n").map((l) => l.replace(/\s+/g, " "))).toEqual(["uname=1", "64", "Seccomp: 2", ""]);
        expect(code).toBe(0);
      } finally {
        server.stop(true);
        for (const fd of fds) procFds.close(fd);
        jail.kill("SIGTERM");
        await jail.exited;
      }
    });
  });
}
