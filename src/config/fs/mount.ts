// Stage 1 (config): one `[[mount]]` table → a MountSpec. The entry names its kind with `type`;
// the other keys follow Google nsjail's MountPt (src, dst, fstype, options, rw, nosuid…).
import { describe, expectArray, expectBool, expectCString, expectInt, type Report } from "../expect.ts";
import type { FileContent, MountFlags, MountKind, MountSpec } from "./model.ts";
import { fail, fileMode, hostPath, jailSubPath, word } from "./paths.ts";
import { checkKeys, tableReader, type TableReader } from "./table.ts";

export const MOUNT_KINDS = [
  "bind", "tmpfs", "proc", "dev", "mqueue", "overlay", "fs", "symlink", "dir", "file",
] as const satisfies readonly MountKind[];

type MountedKind = Exclude<MountKind, "symlink" | "dir">;

const FLAG_KEYS = ["rw", "nosuid", "nodev", "noexec", "create"];
const KIND_KEYS: Readonly<Record<MountKind, readonly string[]>> = {
  bind: [...FLAG_KEYS, "src", "recursive"],
  tmpfs: [...FLAG_KEYS, "size", "mode", "options"],
  proc: [...FLAG_KEYS, "options"],
  dev: FLAG_KEYS,
  mqueue: [...FLAG_KEYS, "options"],
  overlay: [...FLAG_KEYS, "lower", "upper", "work", "options"],
  fs: [...FLAG_KEYS, "fstype", "src", "options"],
  symlink: ["target"],
  dir: ["mode"],
  file: [...FLAG_KEYS, "content", "fd", "mode"],
};

/**
 * Defaults per kind. Binds are read-only unless asked (a jail never writes host files by
 * accident); nothing honours set-uid bits; only /dev holds device nodes.
 */
export const DEFAULT_FLAGS: Readonly<Record<MountedKind, MountFlags>> = {
  bind: { rw: false, nosuid: true, nodev: true, noexec: false },
  tmpfs: { rw: true, nosuid: true, nodev: true, noexec: false },
  proc: { rw: false, nosuid: true, nodev: true, noexec: true },
  dev: { rw: false, nosuid: true, nodev: false, noexec: true },
  mqueue: { rw: true, nosuid: true, nodev: true, noexec: true },
  overlay: { rw: true, nosuid: true, nodev: true, noexec: false },
  fs: { rw: false, nosuid: true, nodev: true, noexec: true },
  file: { rw: false, nosuid: true, nodev: true, noexec: false },
};

/** Keys of Google nsjail's MountPt that are spelled differently here. */
const NSJAIL_WORDS: Readonly<Record<string, string>> = {
  is_bind: 'a bind is type = "bind"',
  is_symlink: 'a symlink is type = "symlink" with target and dst',
  is_dir: "not needed: the planner looks at the source",
  mandatory: "write optional = true for mandatory = false",
  src_content: 'write content = "..." with type = "file"',
};

/** The kernel takes at most one page of mount data. */
const OPTIONS_MAX = 4095;
const ROOT_WHY = "the root is the rootfs key (or an empty tmpfs without one)";

export function readMount(v: unknown, path: string, report: Report): MountSpec | undefined {
  const t = tableReader(v, path, report);
  if (t === undefined) return undefined;
  if (t.table.type === undefined) {
    const nsjail = t.table.is_bind !== undefined ? "is_bind" : t.table.is_symlink !== undefined ? "is_symlink" : null;
    return t.complain("type", `missing: ${nsjail === null ? `one of ${MOUNT_KINDS.join(", ")}` : NSJAIL_WORDS[nsjail]}`);
  }
  const kind = t.need("type", (x, p, r) => {
    const s = expectCString(x, p, r);
    return s === undefined ? undefined : word(s, MOUNT_KINDS, {}, "mount type", p, r);
  });
  if (kind === undefined) return undefined;
  const allowed = ["type", "dst", "optional", ...KIND_KEYS[kind]];
  const keysOk = checkKeys(t.table, allowed, path, report, (key) => elsewhere(key, kind));
  const dst = t.need("dst", (x, p, r) => jailSubPath(x, p, r, ROOT_WHY));
  const optional = t.take("optional", expectBool, false);
  const spec = readKind(kind, t, dst ?? "/", optional ?? false);
  if (!keysOk || t.failed() || dst === undefined || spec === undefined) return undefined;
  return spec;
}

function elsewhere(key: string, kind: MountKind): string | null {
  const foreign = NSJAIL_WORDS[key];
  if (foreign !== undefined) return `unknown key: ${foreign}`;
  const owners = MOUNT_KINDS.filter((k) => KIND_KEYS[k].includes(key));
  return owners.length === 0 ? null : `not used by type = "${kind}" (only by ${owners.join(", ")})`;
}

function readKind(kind: MountKind, t: TableReader, dst: string, optional: boolean): MountSpec | undefined {
  if (kind === "symlink") {
    const target = t.need("target", expectCString);
    return target === undefined ? undefined : { kind, dst, optional, target };
  }
  if (kind === "dir") {
    const mode = t.take("mode", fileMode, 0o755);
    return mode === undefined ? undefined : { kind, dst, optional, mode };
  }
  const d = DEFAULT_FLAGS[kind];
  const flags = {
    rw: t.take("rw", expectBool, d.rw),
    nosuid: t.take("nosuid", expectBool, d.nosuid),
    nodev: t.take("nodev", expectBool, d.nodev),
    noexec: t.take("noexec", expectBool, d.noexec),
  };
  const create = t.take("create", expectBool, false);
  const base = { dst, optional, flags: flags as MountFlags, create: create ?? false };
  return readMounted(kind, t, base);
}

type Base = { dst: string; optional: boolean; flags: MountFlags; create: boolean };

function readMounted(kind: MountedKind, t: TableReader, base: Base): MountSpec | undefined {
  const options = () => t.take("options", mountOptions, "") ?? "";
  switch (kind) {
    case "bind":
      return { kind, ...base, src: t.need("src", hostPath) ?? "", recursive: t.take("recursive", expectBool, true) ?? true };
    case "tmpfs":
      return {
        kind,
        ...base,
        size: t.take("size", tmpfsSize, null) ?? null,
        mode: t.take("mode", fileMode, null) ?? null,
        options: options(),
      };
    case "proc":
    case "mqueue":
      return { kind, ...base, options: options() };
    case "dev":
      return { kind, ...base };
    case "overlay":
      return readOverlay(t, base, options());
    case "fs": {
      const fstype = t.need("fstype", fsTypeName) ?? "";
      return { kind, ...base, fstype, src: t.take("src", expectCString, fstype) ?? "", options: options() };
    }
    case "file":
      return { kind, ...base, content: readContent(t) ?? { text: "" }, mode: t.take("mode", fileMode, 0o644) ?? 0 };
  }
}

function readOverlay(t: TableReader, base: Base, options: string): MountSpec | undefined {
  const lower = t.need("lower", (v, p, r) => {
    const dirs = expectArray(v, p, r, (item, ip) => overlayDir(item, ip, r, ":,"));
    return dirs?.length === 0 ? fail(r, p, "needs at least one lower directory") : dirs;
  });
  const upper = t.take("upper", (v, p, r) => overlayDir(v, p, r, ","), null);
  const work = t.take("work", (v, p, r) => overlayDir(v, p, r, ","), null);
  // Both or neither: without them the planner puts a throwaway tmpfs under the overlay.
  if (upper === null && work !== null && work !== undefined) t.complain("upper", "missing: work needs an upper directory");
  if (work === null && upper !== null && upper !== undefined) t.complain("work", "missing: upper needs a work directory");
  return { kind: "overlay", ...base, lower: lower ?? [], upper: upper ?? null, work: work ?? null, options };
}

/** Overlay splits its data at `,` and its lower list at `:`; such paths would be cut apart. */
function overlayDir(v: unknown, path: string, report: Report, cuts: string): string | undefined {
  const s = hostPath(v, path, report);
  if (s === undefined || ![...cuts].some((c) => s.includes(c))) return s;
  return fail(report, path, `overlay cannot take a path holding ${[...cuts].map((c) => `'${c}'`).join(" or ")}: ${describe(s)}`);
}

function readContent(t: TableReader): FileContent | undefined {
  const { content, fd } = t.table;
  if (content !== undefined && fd !== undefined) return t.complain("fd", "give content or fd, not both");
  if (fd !== undefined) {
    const n = t.need("fd", (v, p, r) => expectInt(v, p, r, 0, 0x7fff_ffff));
    return n === undefined ? undefined : { fd: n };
  }
  const text = t.need("content", expectCString);
  return text === undefined ? undefined : { text };
}

function mountOptions(v: unknown, path: string, report: Report): string | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined || s.length <= OPTIONS_MAX) return s;
  return fail(report, path, `is longer than ${OPTIONS_MAX} bytes (one page of mount data)`);
}

/** tmpfs takes bytes with an optional k, m, g suffix, or a percentage of RAM. */
function tmpfsSize(v: unknown, path: string, report: Report): string | undefined {
  if (typeof v === "number" || typeof v === "bigint") {
    const n = expectInt(v, path, report, 1);
    return n === undefined ? undefined : String(n);
  }
  const s = expectCString(v, path, report);
  if (s === undefined || /^[1-9]\d*[kmg%]?$/i.test(s)) return s;
  return fail(report, path, `expected bytes such as 65536, "64m" or "10%", got ${describe(s)}`);
}

function fsTypeName(v: unknown, path: string, report: Report): string | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined || /^[a-z0-9][a-z0-9._-]{0,31}$/.test(s)) return s;
  return fail(report, path, `expected a file system type such as "sysfs", got ${describe(s)}`);
}
