// Stage 1 (config): facts about host paths that only a file-system jail asks for — where a
// path really is, what it is, the mount table, a rootfs's users. Loaded with node:fs on first
// use (host.ts), so a jail without file-system keys pays nothing.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, realpathSync, statSync } from "node:fs";
import { decodeBytes, encodeBytes } from "../sys/bytes.ts";
import { parseIdTable } from "./id-table.ts";

/** Large enough for the biggest /etc/passwd seen in the wild, small enough to bound memory. */
const ID_FILE_MAX = 64 << 20;
/** /proc/self/mountinfo of a busy host (thousands of container mounts) stays far below this. */
const MOUNTINFO_MAX = 16 << 20;

export type PathKind = "dir" | "file";

export interface HostPaths {
  /** `path` with every symlink resolved, or null when it does not exist. */
  realpath(path: string): string | null;
  /** A directory, anything else ("file": regular files, devices, sockets), or null when
   * missing; symlinks are followed. */
  kind(path: string): PathKind | null;
  /** Mount points of nsjail's mount namespace, from /proc/self/mountinfo, in its order. */
  mountPoints(): readonly string[];
  /** `name`'s id in `root`/etc/passwd or /etc/group, or null. A file that resolves outside
   * `root` (a symlink planted in an image) is not read. */
  idIn(root: string, table: "passwd" | "group", name: string): number | null;
}

const bytes = (p: string) => Buffer.from(encodeBytes(p));

function realpath(path: string): string | null {
  try {
    return decodeBytes(realpathSync(bytes(path), { encoding: "buffer" }));
  } catch {
    return null;
  }
}

function kind(path: string): PathKind | null {
  try {
    return statSync(bytes(path)).isDirectory() ? "dir" : "file";
  } catch {
    return lstatSync(bytes(path), { throwIfNoEntry: false }) === undefined ? null : "file";
  }
}

/** mountinfo field 5, with the kernel's octal escapes (\040 for a space) undone. */
function parseMountPoints(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))));
}

/** A regular file of at most `max` bytes, or null. O_NONBLOCK: a FIFO cannot hang us. */
function readSmall(path: string, max: number): string | null {
  let fd = -1;
  try {
    fd = openSync(bytes(path), constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > max) return null;
    const text = readFileSync(fd, "utf8");
    return text.length > max ? null : text;
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export function nodeHostPaths(): HostPaths {
  let mounts: readonly string[] | null = null;
  const tables = new Map<string, ReadonlyMap<string, number>>();
  return {
    realpath,
    kind,
    mountPoints: () => (mounts ??= parseMountPoints(readSmall("/proc/self/mountinfo", MOUNTINFO_MAX) ?? "")),
    idIn(root, table, name) {
      const file = `${root}/etc/${table}`;
      let ids = tables.get(file);
      if (ids === undefined) {
        const real = realpath(file);
        const inside = real !== null && real.startsWith(`${realpath(root) ?? root}/`);
        ids = parseIdTable((inside && readSmall(real, ID_FILE_MAX)) || "");
        tables.set(file, ids);
      }
      return ids.get(name) ?? null;
    },
  };
}
