// The jail dies with nsjail, whatever its ids: the kernel clears PR_SET_PDEATHSIG when the
// ids change, so a jail that switched ids must have armed it again (and not missed a parent
// that died before that). Each case kills nsjail with SIGKILL and watches the jail's command.
import { afterAll, describe, expect, test } from "bun:test";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, removeNobodyCopy } from "../support/jail.ts";
import { pidsRunning, uniqueSleep, waitFor } from "../support/procs.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

afterAll(removeNobodyCopy);

async function killNsjailAndWatch(as: As, flags: readonly string[]): Promise<void> {
  const command = uniqueSleep();
  const child = Bun.spawn([...dropTo(as), binaryFor(as), "run", ...flags, "--", ...command], { stdout: "ignore", stderr: "ignore" });
  try {
    await waitFor(`'${command.join(" ")}' to start in the jail`, () => pidsRunning(command.join(" ")).length > 0);
    child.kill(9);
    await child.exited;
    await waitFor(`'${command.join(" ")}' to die with nsjail`, () => pidsRunning(command.join(" ")).length === 0);
  } finally {
    child.kill(9);
    for (const pid of pidsRunning(command.join(" "))) process.kill(pid, 9);
  }
}

const CASES: readonly (readonly [As, string, readonly string[]])[] = [
  ["root", "a mapped range of other ids", ["--uid-map", "0:100000:1", "--gid-map", "0:100000:1"]],
  ["root", "no user namespace, another uid", ["--unshare", "fs,pid", "--uid", "65534", "--gid", "65534"]],
  ["root", "--as-pid-1 with other ids", ["--as-pid-1", "--uid-map", "0:100000:1", "--gid-map", "0:100000:1"]],
  ["root", "--exec, no user namespace, another uid", ["--exec", "--unshare", "fs,pid", "--uid", "65534", "--gid", "65534"]],
  ["nobody", "rootless, uid 0 inside", ["--uid", "0", "--gid", "0"]],
  ["nobody", "rootless --exec", ["--exec"]],
];

describe("the jail dies with nsjail", () => {
  for (const [as, name, flags] of CASES) {
    const enabled = host.binary && (as === "root" ? host.root : host.rootless);
    test.skipIf(!enabled)(`${name} (as ${as})`, async () => {
      await killNsjailAndWatch(as, flags);
      expect(true).toBe(true);
    }, 15_000);
  }
});
