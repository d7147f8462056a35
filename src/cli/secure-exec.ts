// CLI: nsjail refuses to run setuid, setgid or with file capabilities. It is a Bun executable,
// and Bun acts on BUN_OPTIONS (--preload) and BUN_BE_BUN before any of nsjail's code runs, so
// such an install hands every local user the privileges; see docs/security.md.
import type { ReadFile } from "../config/read-file.ts";
import { JailError } from "../errors.ts";

/** getauxval(3) keys: AT_SECURE is 1 when the kernel ran us with raised privileges. */
const AT_NULL = 0;
const AT_SECURE = 23;
const AUXV_MAX = 4096;

const WHY = "Bun reads BUN_OPTIONS and BUN_BE_BUN before nsjail starts, so every user could run code with them";
const FIX = "remove the bits (chmod u-s,g-s) or the capabilities (setcap -r) and run nsjail as root or from a service";

/** The ids check: setuid or setgid makes them differ, and costs nothing to see. */
export function refuseRaisedIds(): void {
  const [uid, euid, gid, egid] = [process.getuid?.(), process.geteuid?.(), process.getgid?.(), process.getegid?.()];
  if (uid !== euid || gid !== egid) {
    throw new JailError(`refusing to run setuid or setgid (uid ${uid}, euid ${euid}, gid ${gid}, egid ${egid}): ${WHY} — ${FIX}`);
  }
}

/** AT_SECURE from /proc/self/auxv (native-endian u64 pairs) also catches file capabilities;
 * without /proc the ids check above is all there is. */
export function refuseSecureExec(readFile: ReadFile): void {
  refuseRaisedIds();
  let auxv: Uint8Array;
  try {
    auxv = readFile("/proc/self/auxv", AUXV_MAX);
  } catch {
    return;
  }
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  for (let at = 0; at + 16 <= auxv.byteLength; at += 16) {
    const key = view.getBigUint64(at, true);
    if (key === BigInt(AT_NULL)) return;
    if (key === BigInt(AT_SECURE) && view.getBigUint64(at + 8, true) !== 0n) {
      throw new JailError(`refusing to run with raised privileges (AT_SECURE: file capabilities or a security module): ${WHY} — ${FIX}`);
    }
  }
}
