// Ground floor (sys): user and group names → ids through the C library's name service
// (getpwnam_r/getgrnam_r), so every source /etc/nsswitch.conf lists answers: files, LDAP,
// sssd, systemd's userdb. Loaded only when a config names a user or group.
import { encodeBytes } from "./bytes.ts";
import { openLibc } from "./ffi.ts";

/** uid_t pw_uid in struct passwd and gid_t gr_gid in struct group both follow two char
 * pointers on every 64-bit Linux (glibc and musl alike). */
const ID_OFFSET = 16;
/** Room for struct passwd (48 bytes) or struct group (32) on LP64. */
const STRUCT_SIZE = 64;
/** The strings of one entry; a group with many members may need more, up to the cap. */
const FIRST_BUFFER = 4096;
const MAX_BUFFER = 1 << 20;
const ERANGE = 34;

/** int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t size, struct passwd **result),
 * and getgrnam_r alike. */
const SIGNATURE = { args: ["ptr", "ptr", "ptr", "u64", "ptr"], returns: "i32" } as const;
const open = () => openLibc({ getpwnam_r: SIGNATURE, getgrnam_r: SIGNATURE });

let libc: ReturnType<typeof open> | undefined;

function load(): ReturnType<typeof open> {
  if (libc === undefined) libc = open();
  return libc;
}

/** The id of `name`, null when the name service has no such entry, undefined when it cannot
 * answer (no C library, or an error such as an unreachable directory server). */
function lookup(fn: "getpwnam_r" | "getgrnam_r", name: string): number | null | undefined {
  const lib = load();
  if (!lib) return undefined;
  const cname = encodeBytes(`${name}\0`);
  const entry = new Uint8Array(STRUCT_SIZE);
  const result = new BigUint64Array(1);
  for (let size = FIRST_BUFFER; size <= MAX_BUFFER; size *= 2) {
    const rc = lib[fn](cname, entry, new Uint8Array(size), size, result);
    if (rc === ERANGE) continue;
    if (rc !== 0) return undefined;
    return result[0] === 0n ? null : new DataView(entry.buffer).getUint32(ID_OFFSET, true);
  }
  return undefined;
}

export const userId = (name: string) => lookup("getpwnam_r", name);
export const groupId = (name: string) => lookup("getgrnam_r", name);
