// Stage 1 (config): the CLI spellings of mounts (`--ro-bind SRC[:DST]`, `--tmpfs DST[:OPTS]`…).
// Each flag value is split into the `[[mount]]` table it stands for and read by readMount, so a
// mount is validated the same way whichever way it was written.
import { describe, type Report, type Table } from "../expect.ts";
import type { MountSpec } from "./model.ts";
import { readMount } from "./mount.ts";
import { splitPair } from "./paths.ts";

type Split = (value: string) => Table | string;

const bind = (rw: boolean, optional: boolean): Split => (value) => {
  const [src, dst] = splitPair(value);
  return { type: "bind", src, dst: dst ?? src, rw, optional };
};

const at = (type: string): Split => (dst) => ({ type, dst });

/** Every mount flag and what its value means; the flag's placeholder is the key's help text. */
export const MOUNT_FLAGS: Readonly<Record<string, { readonly placeholder: string; readonly split: Split }>> = {
  "--bind": { placeholder: "SRC[:DST]", split: bind(true, false) },
  "--ro-bind": { placeholder: "SRC[:DST]", split: bind(false, false) },
  "--bind-try": { placeholder: "SRC[:DST]", split: bind(true, true) },
  "--ro-bind-try": { placeholder: "SRC[:DST]", split: bind(false, true) },
  "--tmpfs": { placeholder: "DST[:size=BYTES,mode=OCTAL,...]", split: tmpfs },
  "--proc": { placeholder: "DST", split: at("proc") },
  "--dev": { placeholder: "DST", split: at("dev") },
  "--mqueue": { placeholder: "DST", split: at("mqueue") },
  "--symlink": { placeholder: "TARGET:LINK", split: pair("TARGET:LINK", (target, dst) => ({ type: "symlink", target, dst })) },
  "--dir": { placeholder: "DST[:MODE]", split: dir },
  "--file": { placeholder: "DST:TEXT", split: pair("DST:TEXT", (dst, content) => ({ type: "file", dst, content })) },
  "--file-fd": { placeholder: "FD:DST", split: fileFd },
};

/** `--FLAG VALUE` → MountSpec; issues land under `path` (e.g. `--ro-bind[1]`). */
export function readMountFlag(flag: string, value: string, path: string, report: Report): MountSpec | undefined {
  const entry = MOUNT_FLAGS[flag];
  if (entry === undefined) throw new Error(`readMountFlag: ${flag} is not a mount flag`);
  const table = entry.split(value);
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
