// What this host lets the tests do, probed once. Under CI=true a missing capability is a
// failure with its reason, never a silent skip (CI runs as root with full namespace support).
import { existsSync, readFileSync } from "node:fs";
import { test } from "bun:test";

function readInt(path: string): number | null {
  try {
    return Number.parseInt(readFileSync(path, "utf8"), 10);
  } catch {
    return null;
  }
}

const isRoot = process.getuid!() === 0;
const maxUserNs = readInt("/proc/sys/user/max_user_namespaces") ?? 0;
const unprivClone = readInt("/proc/sys/kernel/unprivileged_userns_clone") ?? 1;
const hasSetpriv = existsSync("/usr/bin/setpriv") || existsSync("/bin/setpriv");

export const host = {
  root: isRoot,
  /** Unprivileged user namespaces, tested by dropping to uid 65534 with setpriv. */
  rootless: isRoot && hasSetpriv && maxUserNs > 0 && unprivClone === 1,
  binary: existsSync(new URL("../../nsjail", import.meta.url).pathname),
};

export const CI = process.env.CI === "true";

/** Declares a test that fails under CI when the host lacks `why`, and is skipped elsewhere. */
export function requireHost(ok: boolean, why: string): void {
  if (!ok && CI) {
    test(`host capability: ${why}`, () => {
      throw new Error(`CI=true but this host lacks: ${why}`);
    });
  }
}
