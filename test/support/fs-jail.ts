// File-system jail tests: a busybox rootfs with the extra mount points the tests use, nsjail
// run inside a private mount namespace of the test's own (for host mounts to keep or hide),
// and the host's mount table, which must read the same before and after every test.
import { afterEach, beforeEach, expect } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "./host.ts";
import { type As, binaryFor, dropTo, type Result, withoutJailLines } from "./jail.ts";
import { buildRootfs, findBusybox, type Rootfs } from "./rootfs.ts";

/** Declares what file-system jail tests need (failing under CI when missing); true when the
 * binary and busybox are there. Root and rootless are checked per describe. */
export function fsJailReady(): boolean {
  const ready = host.binary && findBusybox() !== null;
  requireHost(ready, "a built ./nsjail and a static busybox (package busybox-static)");
  requireHost(host.root, "root (CI runs the suite as root)");
  requireHost(host.rootless, "unprivileged user namespaces and setpriv");
  return ready;
}

/** Mount points the tests need besides those of buildRootfs (the rootfs is never written). */
const EXTRA_DIRS = ["apps/nfs", "apps/other", "nfs", "data", "srv", "etc/conf.d", "opt"];

export interface TestRoot extends Rootfs {
  /** A host directory outside the rootfs, world-writable, for binds and host hooks. */
  readonly outside: string;
}

export function buildTestRoot(): TestRoot {
  const root = buildRootfs();
  for (const d of EXTRA_DIRS) mkdirSync(join(root.dir, d), { recursive: true, mode: 0o755 });
  writeFileSync(join(root.dir, "etc/conf.d/app.conf"), "from the rootfs\n", { mode: 0o644 });
  const outside = mkdtempSync(join(tmpdir(), "nsjail-outside-"));
  chmodSync(outside, 0o777);
  writeFileSync(join(outside, "host-file"), "from the host\n", { mode: 0o666 });
  return {
    ...root,
    outside,
    remove() {
      root.remove();
      rmSync(outside, { recursive: true, force: true });
    },
  };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * nsjail `args` as `as`, in a private mount namespace of its own where `setup` (a root shell
 * script: host mounts) ran first. Nothing of it reaches the host's mount table.
 */
export function inMountNs(as: As, setup: string, args: readonly string[], opts: { timeoutMs?: number } = {}): Result {
  const run = [...dropTo(as), binaryFor(as), ...args].map(quote).join(" ");
  const script = `set -e\n${setup}\nexec ${run}`;
  const r = Bun.spawnSync(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script], {
    cwd: "/",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "dumb" },
    timeout: opts.timeoutMs ?? 20_000,
  });
  const stderr = r.stderr.toString();
  return { code: r.exitCode ?? 128 + 9, stdout: r.stdout.toString(), stderr: withoutJailLines(stderr), rawStderr: stderr };
}

/** `mount -t tmpfs` of a named tmpfs holding one marker file, for setup scripts. */
export function hostTmpfs(dir: string, name: string, marker = name): string {
  return `mkdir -p ${quote(dir)}; mount -t tmpfs -o size=64k,mode=0755 ${name} ${quote(dir)}; echo ${marker} > ${quote(`${dir}/marker`)}`;
}

function hostMountTable(): string {
  return readFileSync("/proc/self/mountinfo", "utf8");
}

/** Every test of the file leaves the host's mount table exactly as it found it. */
export function checkHostMountsUnchanged(): void {
  let before = "";
  beforeEach(() => {
    before = hostMountTable();
  });
  afterEach(() => {
    expect(hostMountTable()).toBe(before);
  });
}
