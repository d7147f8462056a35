// Stage 1 (config): the one bag of host facts every stage may read — our ids, environment,
// the kernel's highest capability and name lookups. Gathered once by the CLI, injected
// everywhere else, so no stage below it probes /etc or /proc and tests pass a fake.
import { CAPABILITIES } from "./capabilities.ts";
import { idLookup } from "./ids.ts";
import { decodeUtf8, nodeReadFile, type ReadFile } from "./read-file.ts";

const CAP_LAST_CAP = "/proc/sys/kernel/cap_last_cap";

export interface HostFacts {
  /** Effective uid and gid of the nsjail process on the host. */
  readonly uid: number;
  readonly gid: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap). */
  readonly capLastCap: number;
  lookupUser(name: string): number | null;
  lookupGroup(name: string): number | null;
}

/** The real host: our ids and env, the kernel's highest capability, /etc/passwd and /etc/group. */
export function readHostFacts(readFile: ReadFile = nodeReadFile): HostFacts {
  return {
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    env: process.env,
    capLastCap: readCapLastCap(readFile),
    lookupUser: idLookup("/etc/passwd", readFile),
    lookupGroup: idLookup("/etc/group", readFile),
  };
}

/** /proc may be missing (e.g. inside a minimal chroot); assume the newest table we know. */
function readCapLastCap(readFile: ReadFile): number {
  try {
    const n = Number.parseInt(decodeUtf8(readFile(CAP_LAST_CAP)).trim(), 10);
    if (Number.isInteger(n) && n >= 0) return n;
  } catch {
    // fall through
  }
  return CAPABILITIES.length - 1;
}
