// --exec: nsjail replaces itself with the jail. No Bun process stays behind; with a pid
// namespace a 16 kB waiter keeps nsjail's pid, without one the command itself has it.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, nsjail, removeNobodyCopy, sh } from "../support/jail.ts";

requireHost(host.binary && host.root && host.rootless, "root, unprivileged user namespaces and a built ./nsjail");
afterAll(removeNobodyCopy);

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);
  const uid = as === "root" ? 0 : 65534;

  describe.skipIf(!enabled)(`nsjail run --exec as ${as}`, () => {
    test("same jail as without --exec: hostname, ids, pid 2 under the init", () => {
      const r = sh(as, 'echo "$(hostname) $$ $(id -u)"; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status', ["--exec", "--hostname", "ex"]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(new RegExp(`^ex 2 ${uid}\nCapEff:\\s+0{16}\nNoNewPrivs:\\s+1\n$`));
      expect(r.code).toBe(0);
    });

    test("without a pid namespace the command keeps nsjail's own pid", () => {
      // The shell prints the pid it was started with; `exec` makes nsjail take over that pid.
      const r = nsjail(as, ["run", "--exec", "--unshare", "user,fs,uts", "--", "/bin/sh", "-c", 'echo $$ >&2'], {
        shell: 'echo $$; ',
      });
      expect(r.stderr.trim()).toBe(r.stdout.trim());
    });

    test("exit codes pass straight through", () => {
      expect(sh(as, "exit 9", ["--exec"]).code).toBe(9);
      expect(sh(as, "kill -TERM $$; sleep 5", ["--exec"]).code).toBe(128 + 15);
    });

    test("no Bun supervisor stays behind", async () => {
      const child = Bun.spawn([...dropTo(as), binaryFor(as), "run", "--exec", "--", "/bin/sh", "-c", "echo up; sleep 5"], { stdout: "pipe" });
      await child.stdout.getReader().read();
      // nsjail's pid now runs the trampoline image: a few pages, not a Bun heap.
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const rss = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
      expect(rss).toBeLessThan(1024);
      child.kill("SIGKILL");
      await child.exited;
    });

    test("setup errors are printed by the jail itself: one line, exit 255", () => {
      const r = nsjail(as, ["run", "--exec", "--chdir", "/no/such/dir", "--", "/bin/true"]);
      expect(r.code).toBe(255);
      expect(r.stderr).toBe("nsjail: chdir /no/such/dir [chdir]: ENOENT (No such file or directory)\n");
    });

    test("what exec cannot do is refused before anything runs", () => {
      const r = nsjail(as, ["run", "--exec", "--time-limit", "5", "--", "/bin/true"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("needs nsjail to stay as supervisor");
    });
  });
}
