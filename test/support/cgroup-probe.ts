// Run as a separate process (rootless tests run it as uid 65534): create a jail cgroup with
// the real manager and remove it. Exit 0 on success; else the error on stderr, exit 255.
import { NO_LIMITS } from "../../src/config/limits-model.ts";
import { CgroupManager } from "../../src/launch/cgroup/manager.ts";
import { nodeCgroupEnv } from "../../src/launch/cgroup/node-env.ts";

const prefix = process.argv[2] ?? "nsjtest-probe";
try {
  const jail = new CgroupManager(nodeCgroupEnv((m) => console.error(`warning: ${m}`)), prefix).create({ ...NO_LIMITS, pids: 5 });
  jail.remove();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(255);
}
