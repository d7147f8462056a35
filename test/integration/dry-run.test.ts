// `--dry-run` prints the plan that runs: its digest line equals the one a debug-level run
// logs for the same config, bytes for bytes, as root and rootless, with and without --exec.
import { afterAll, describe, expect, test } from "bun:test";
import { host, requireHost } from "../support/host.ts";
import { type As, nsjail, removeNobodyCopy } from "../support/jail.ts";

requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

afterAll(removeNobodyCopy);

const DIGEST = /plan: \d+ ops, \d+ bytes, hash [0-9a-f]+/;

const CONFIGS: readonly (readonly string[])[] = [
  ["--hostname", "box", "--env", "A=1"],
  ["--as-pid-1", "--chdir", "/tmp"],
  ["--unshare", "user,fs,uts", "--cap", "net_bind_service"],
  ["--exec", "--hostname", "box"],
];

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && (as === "root" ? host.root : host.rootless);
  describe.skipIf(!enabled)(`--dry-run is the plan that runs, as ${as}`, () => {
    for (const flags of CONFIGS) {
      test(flags.join(" "), () => {
        const shown = nsjail(as, ["run", "--dry-run", ...flags, "--", "/bin/true"]);
        const ran = nsjail(as, ["run", "--log-level", "debug", ...flags, "--", "/bin/true"]);
        expect(ran.code).toBe(0);
        const digest = DIGEST.exec(shown.stdout)?.[0];
        expect(digest).toBeDefined();
        // --log-level debug is not in the dry run's flags, and the log level is no part of the plan.
        expect(DIGEST.exec(ran.stderr)?.[0]).toBe(digest);
      });
    }
  });
}
