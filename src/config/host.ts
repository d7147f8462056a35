// Stage 1 (config): the one bag of host facts every stage may read — our ids, environment,
// the kernel's highest capability, our architecture and name lookups. Gathered once by the
// CLI, injected everywhere else, so no stage below it probes /etc or /proc and tests pass a fake.
import { decodeBytes } from "../sys/bytes.ts";
import { CAPABILITIES } from "./capabilities.ts";
import type { HostPaths } from "./host-paths.ts";
import { parseIdTable } from "./id-table.ts";
import { decodeUtf8, nodeReadFile, type ReadFile } from "./read-file.ts";

const CAP_LAST_CAP = "/proc/sys/kernel/cap_last_cap";
/** A number and a newline; anything longer is not what the kernel writes there. */
const CAP_LAST_CAP_MAX = 32;
/** Large enough for the biggest /etc/passwd seen in the wild, small enough to bound memory. */
const ID_FILE_MAX = 64 << 20;
/** The kernel keeps argv and envp together under a quarter of the stack limit; this is ample. */
const ENVIRON_MAX = 64 << 20;
const REPLACEMENT = "\uFFFD";

export interface HostFacts {
  /** Effective uid and gid of the nsjail process on the host. */
  readonly uid: number;
  readonly gid: number;
  /** nsjail's own pid: socket activation's LISTEN_PID must name it. */
  readonly pid: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap). */
  readonly capLastCap: number;
  /** nsjail's architecture as Bun names it (process.arch): the seccomp filter is built for it. */
  readonly arch: string;
  lookupUser(name: string): number | null;
  lookupGroup(name: string): number | null;
  /** Host paths, the mount table and a rootfs's users: read on first use. */
  readonly paths: HostPaths;
}

/** Name → id: the id, null for "no such name", undefined when the service cannot answer. */
export type NameLookup = (name: string) => number | null | undefined;

export interface NameService {
  readonly user: NameLookup;
  readonly group: NameLookup;
}

/** The C library's name service (files, LDAP, sssd, …), loaded on the first lookup only. */
const LIBC_NAMES: NameService = {
  user: (name) => (require("../sys/nss.ts") as typeof import("../sys/nss.ts")).userId(name),
  group: (name) => (require("../sys/nss.ts") as typeof import("../sys/nss.ts")).groupId(name),
};

/** The real host: our ids and env, the kernel's highest capability, and name lookups through
 * `names`, falling back to /etc/passwd and /etc/group when the service cannot answer. */
export function readHostFacts(readFile: ReadFile = nodeReadFile, names: NameService = LIBC_NAMES): HostFacts {
  return {
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    pid: process.pid,
    env: exactEnv(readFile),
    capLastCap: readCapLastCap(readFile),
    arch: process.arch,
    lookupUser: withFallback(names.user, "/etc/passwd", readFile),
    lookupGroup: withFallback(names.group, "/etc/group", readFile),
    paths: lazyPaths(),
  };
}

/** config/host-paths.ts (and node:fs with it) loads when a file-system jail first asks. */
function lazyPaths(): HostPaths {
  let real: HostPaths | null = null;
  const load = () => (real ??= (require("./host-paths.ts") as typeof import("./host-paths.ts")).nodeHostPaths());
  return {
    realpath: (p) => load().realpath(p),
    kind: (p) => load().kind(p),
    mountPoints: () => load().mountPoints(),
    idIn: (root, table, name) => load().idIn(root, table, name),
  };
}

/**
 * Our environment, byte for byte. Bun decodes it as UTF-8 with U+FFFD for invalid bytes; only
 * when a name or value holds one is /proc/self/environ read again, invalid bytes kept as escapes
 * (sys/bytes.ts) so `keep_env` passes them through unchanged.
 */
function exactEnv(readFile: ReadFile): HostFacts["env"] {
  const env = process.env;
  if (!Object.entries(env).some(([k, v]) => k.includes(REPLACEMENT) || v?.includes(REPLACEMENT))) return env;
  try {
    const exact: Record<string, string> = {};
    for (const entry of decodeBytes(readFile("/proc/self/environ", ENVIRON_MAX)).split("\0")) {
      const eq = entry.indexOf("=");
      if (eq > 0 && !(entry.slice(0, eq) in exact)) exact[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return exact;
  } catch {
    return env; // no /proc: keep Bun's decoding
  }
}

/** /proc may be missing (e.g. inside a minimal chroot); assume the newest table we know. */
function readCapLastCap(readFile: ReadFile): number {
  try {
    const n = Number.parseInt(decodeUtf8(readFile(CAP_LAST_CAP, CAP_LAST_CAP_MAX)).trim(), 10);
    if (Number.isInteger(n) && n >= 0) return n;
  } catch {
    // fall through
  }
  return CAPABILITIES.length - 1;
}

function withFallback(service: NameLookup, path: string, readFile: ReadFile): (name: string) => number | null {
  let table: ReadonlyMap<string, number> | null = null;
  return (name) => {
    const id = service(name);
    if (id !== undefined) return id;
    // Read on first use only; an unreadable file means "no such name".
    if (table === null) {
      try {
        table = parseIdTable(decodeUtf8(readFile(path, ID_FILE_MAX)));
      } catch {
        table = new Map();
      }
    }
    return table.get(name) ?? null;
  };
}
