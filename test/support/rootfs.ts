// Builds a small real root filesystem for jail tests from a static busybox (Debian package
// busybox-static, installed by .ci/run): applets in /bin, users in /etc, empty mount points.
import {
  chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync,
  symlinkSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CANDIDATES = ["/bin/busybox", "/usr/bin/busybox", "/sbin/busybox"];

/** Applets linked into /bin when this busybox has them. */
const APPLETS = [
  "sh", "ls", "cat", "id", "hostname", "ps", "mount", "umount", "echo", "sleep", "touch", "stat",
  "nc", "true", "false", "grep", "mkdir", "rm", "test", "env", "readlink", "uname", "head", "wc",
  "sed", "whoami", "pwd", "ln", "chmod", "printf", "kill", "ip", "dd", "df",
];

const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh",
  "uwsgi:x:1000:1000:uWSGI:/home/uwsgi:/bin/sh",
  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false",
];
const GROUP = ["root:x:0:", "uwsgi:x:1000:", "nogroup:x:65534:"];

/** Empty mount points (and /tmp, sticky) a jail mounts onto; the rootfs itself is never written. */
const DIRS: [string, number][] = [
  ["bin", 0o755], ["etc", 0o755], ["proc", 0o555], ["dev", 0o755], ["sys", 0o555], ["tmp", 0o1777],
  ["root", 0o700], ["home", 0o755], ["home/uwsgi", 0o755], ["mnt", 0o755], [".old_root", 0o755],
];

export interface Rootfs {
  readonly dir: string;
  readonly applets: readonly string[];
  /** Removes the tree; refuses while anything is mounted below it (it would delete through). */
  remove(): void;
}

/** The static busybox of this host, or null. */
export function findBusybox(): string | null {
  return CANDIDATES.find((p) => existsSync(p) && isStatic(p)) ?? null;
}

/** An ELF without a PT_INTERP program header needs no loader inside the rootfs. */
function isStatic(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return false; // ELF64 only
    const [phoff, phentsize, phnum] = [Number(head.readBigUInt64LE(32)), head.readUInt16LE(54), head.readUInt16LE(56)];
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    return true;
  } finally {
    closeSync(fd);
  }
}

export function buildRootfs(): Rootfs {
  const busybox = findBusybox();
  if (busybox === null) throw new Error(`no static busybox in ${CANDIDATES.join(", ")}: apt-get install busybox-static`);
  const dir = mkdtempSync(join(tmpdir(), "nsjail-rootfs-"));
  // World-readable, so a jail run as uid 65534 can use it too.
  chmodSync(dir, 0o755);
  for (const [d, mode] of DIRS) {
    mkdirSync(join(dir, d), { recursive: true });
    chmodSync(join(dir, d), mode);
  }
  copyFileSync(busybox, join(dir, "bin/busybox"));
  chmodSync(join(dir, "bin/busybox"), 0o755);
  const known = new Set(Bun.spawnSync([busybox, "--list"]).stdout.toString().split("\n"));
  const applets = APPLETS.filter((a) => known.has(a));
  for (const a of applets) symlinkSync("busybox", join(dir, "bin", a));
  writeFileSync(join(dir, "etc/passwd"), `${PASSWD.join("\n")}\n`, { mode: 0o644 });
  writeFileSync(join(dir, "etc/group"), `${GROUP.join("\n")}\n`, { mode: 0o644 });
  writeFileSync(join(dir, "etc/hostname"), "rootfs\n", { mode: 0o644 });
  return { dir, applets, remove: () => removeRootfs(dir) };
}

function removeRootfs(dir: string): void {
  // /proc/self/mountinfo field 5 is the mount point, with spaces escaped as \040.
  const below = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4]?.replace(/\\040/g, " "))
    .filter((p): p is string => p !== undefined && (p === dir || p.startsWith(`${dir}/`)));
  if (below.length > 0) throw new Error(`not removing ${dir}: still mounted there: ${below.join(", ")}`);
  rmSync(dir, { recursive: true, force: true });
}
