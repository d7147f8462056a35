// Stage 1 (config): the CLI spellings of mounts (`--ro-bind SRC[:DST]`, `--tmpfs DST[:OPTS]`…).
// Each flag value is split into the `[[mount]]` table it stands for and read by readMount, so a
// mount is validated the same way whichever way it was written.
import { describe, expectArray, FlagValue, type Report, type Table } from "../expect.ts";
import type { MountSpec } from "./model.ts";
import { readMount } from "./mount.ts";
import { splitPair } from "./paths.ts";

type Split = (value: string) => Table | string;

const bind = (rw: boolean, optional: boolean): Split => (value) => {
  const [src, dst] = splitPair(value);
  return { type: "bind", src, dst: dst ?? src, rw, optional };
};

const at = (type: string): Split => (dst) => ({ type, dst });

/** What each mount flag's value means. The flags' names, placeholders and help are
 * MOUNT_FLAG_FORMS in config/schema/fs.ts, which the CLI reads without loading this file. */
export const MOUNT_FLAGS: Readonly<Record<string, Split>> = {
  "--bind": bind(true, false),
  "--ro-bind": bind(false, false),
  "--bind-try": bind(true, true),
  "--ro-bind-try": bind(false, true),
  "--tmpfs": tmpfs,
  "--proc": at("proc"),
  "--dev": at("dev"),
  "--mqueue": at("mqueue"),
  "--symlink": pair("TARGET:LINK", (target, dst) => ({ type: "symlink", target, dst })),
  "--dir": dir,
  "--file": pair("DST:TEXT", (dst, content) => ({ type: "file", dst, content })),
  "--file-fd": fileFd,
};

/** A mount and where it was written: `mount[2]` in the file, `--bind[0]` on the command line. */
export interface PlacedMount {
  readonly spec: MountSpec;
  readonly key: string;
}

/**
 * `mount`: the file's [[mount]] tables, then the mount flags in command-line order (cli/
 * flag-table.ts hands those in as FlagValues). Each flag's entries are counted on their own,
 * so issues name `--ro-bind[1]`, the second --ro-bind.
 */
export function readMountList(v: unknown, path: string, report: Report): PlacedMount[] | undefined {
  const perFlag = new Map<string, number>();
  let tables = 0;
  return expectArray(v, path, report, (item): PlacedMount | undefined => {
    if (item instanceof FlagValue) {
      const n = perFlag.get(item.flag) ?? 0;
      perFlag.set(item.flag, n + 1);
      const key = `${item.flag}[${n}]`;
      const spec = readMountFlag(item.flag, item.value, key, report);
      return spec === undefined ? undefined : { spec, key };
    }
    const key = `${path}[${tables++}]`;
    const spec = readMount(item, key, report);
    return spec === undefined ? undefined : { spec, key };
  });
}

/** `--FLAG VALUE` → MountSpec; issues land under `path` (e.g. `--ro-bind[1]`). */
export function readMountFlag(flag: string, value: string, path: string, report: Report): MountSpec | undefined {
  const split = MOUNT_FLAGS[flag];
  if (split === undefined) throw new Error(`readMountFlag: ${flag} is not a mount flag`);
  const table = split(value);
  if (typeof table === "string") {
    report(path, `expected ${table}, got ${describe(value)}`);
    return undefined;
  }
  return readMount(table, path, report);
}

function pair(shape: string, make: (a: string, b: string) => Table): Split {
  return (value) => {
    const [a, b] = splitPair(value);
    return b === null ? shape : make(a, b);
  };
}

/** `DST:size=64m,mode=1777,nr_inodes=1k`: size and mode become keys, the rest is data. */
function tmpfs(value: string): Table {
  const [dst, opts] = splitPair(value);
  const table: Table = { type: "tmpfs", dst };
  const rest: string[] = [];
  for (const item of opts === null || opts === "" ? [] : opts.split(",")) {
    if (item.startsWith("size=")) table.size = item.slice(5);
    else if (item.startsWith("mode=")) table.mode = item.slice(5);
    else rest.push(item);
  }
  if (rest.length > 0) table.options = rest.join(",");
  return table;
}

function dir(value: string): Table {
  const [dst, mode] = splitPair(value);
  return mode === null ? { type: "dir", dst } : { type: "dir", dst, mode };
}

function fileFd(value: string): Table | string {
  const [fd, dst] = splitPair(value);
  if (dst === null || !/^\d{1,10}$/.test(fd)) return "FD:DST (a descriptor number, then a path)";
  return { type: "file", dst, fd: Number(fd) };
}
