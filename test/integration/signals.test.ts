// Signals, stopped jails, leftovers and passed fds, seen from the host: what nsjail forwards
// must arrive, a stopped jail must not hang, a jail without a pid namespace leaves nothing
// behind, and only the caller's own fds can be passed in.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, nsjail, removeNobodyCopy } from "../support/jail.ts";
import { pidsRunning, uniqueSleep, waitFor } from "../support/procs.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

afterAll(removeNobodyCopy);

/** Starts nsjail in the background; the caller signals it and awaits `exited`. */
function start(as: As, args: readonly string[]) {
  return Bun.spawn([...dropTo(as), binaryFor(as), "run", ...args], { stdout: "pipe", stderr: "pipe" });
}

const stateOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]?.[0];

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`signals and leftovers as ${as}`, () => {
    test("--as-pid-1: SIGTERM the command does not catch ends the jail with 143", async () => {
      const sleep = uniqueSleep();
      const jail = start(as, ["--as-pid-1", "--", ...sleep]);
      await waitFor("the command to start", () => pidsRunning(sleep.join(" ")).length > 0);
      jail.kill("SIGTERM");
      expect(await jail.exited).toBe(143);
      expect(await new Response(jail.stderr).text()).toContain("does not catch SIGTERM");
    }, 15_000);

    test("a stopped command still gets a forwarded SIGTERM", async () => {
      const jail = start(as, ["--", "/bin/sh", "-c", "kill -STOP $$; sleep 1000"]);
      await waitFor("the command to stop itself", () =>
        pidsRunning(`/bin/sh -c kill -STOP $$; sleep 1000`).some((pid) => stateOf(pid) === "T"),
      );
      jail.kill("SIGTERM");
      expect(await jail.exited).toBe(143);
    }, 15_000);

    test("without a pid namespace, what the command leaves running is killed at its end", async () => {
      const sleep = uniqueSleep();
      const r = nsjail(as, ["run", "--unshare", "user,fs", "--", "/bin/sh", "-c", `(setsid ${sleep.join(" ")} &) ; exit 3`]);
      expect(r.code).toBe(3);
      expect(pidsRunning(sleep.join(" "))).toEqual([]);
      // As root the jail runs as host uid 65534, not as nsjail's own: then nothing to warn about.
      if (as === "nobody") expect(r.stderr).toContain("it can signal nsjail");
      else expect(r.stderr).toBe("");
    });

    test("without a pid namespace, the time limit kills the whole tree", async () => {
      const sleep = uniqueSleep();
      const r = nsjail(as, ["run", "--unshare", "user,fs", "--time-limit", "1", "--", "/bin/sh", "-c", `(setsid ${sleep.join(" ")} &) ; sleep 1000`]);
      expect(r.code).toBe(124); // the shell dies of the limit's SIGTERM: timeout(1)'s code
      expect(r.stderr).toContain("time limit of 1 s reached");
      expect(pidsRunning(sleep.join(" "))).toEqual([]);
    });

    test("--pass-fd refuses an fd the caller does not have, and nsjail's own", () => {
      const missing = nsjail(as, ["run", "--pass-fd", "37", "--", "/bin/true"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe("nsjail: --pass-fd 37: fd 37 is not open in nsjail's caller\n");
      // Bun's own epoll is fd 3 in a process that inherited nothing beyond 0-2.
      const own = nsjail(as, ["run", "--pass-fd", "3", "--", "/bin/true"]);
      expect(own.code).toBe(2);
      expect(own.stderr).toMatch(/^nsjail: --pass-fd 3: fd 3 is nsjail's own \(anon_inode:\[?eventpoll\]?\), not the caller's\n$/);
    });
  });
}
