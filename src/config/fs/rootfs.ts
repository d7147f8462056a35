// Stage 1 (config): the jail's root: `rootfs`, the one-key `namespace = "ROOT[:HOST]"`,
// `keep_mount` (host mounts that stay) and the seed's manual `pivot_root = "NEW OLD"`.
import { describe, expectCString, isTable, type Report } from "../expect.ts";
import type { KeepMount, NamespaceKey, PivotRoot } from "./model.ts";
import { hostName } from "./hook-args.ts";
import { fail, isUnder, jailPath, jailSubPath, readPair } from "./paths.ts";
import { checkKeys, tableReader } from "./table.ts";

/** The rootfs is a host directory: it is bound onto itself, never written to. */
export function readRootfs(v: unknown, path: string, report: Report): string | undefined {
  const p = jailPath(v, path, report);
  if (p !== "/") return p;
  return fail(report, path, "cannot be the host's '/': the jail would see the whole host");
}

/** uWSGI's `--namespace ROOT[:HOST]`: the part after the first `:` is the hostname. */
export function readNamespace(v: unknown, path: string, report: Report): NamespaceKey | undefined {
  const pair = readPair(v, path, report, readRootfs, hostName);
  return pair === undefined ? undefined : { rootfs: pair[0], hostname: pair[1] };
}

/**
 * `"SRC"` keeps a host mount that lies under the rootfs at its place; `"SRC:DST"` or
 * `{ src, dst }` binds a host path anywhere in the jail.
 */
export function readKeepMount(v: unknown, path: string, report: Report): KeepMount | undefined {
  if (isTable(v)) {
    const t = tableReader(v, path, report);
    if (t === undefined) return undefined;
    const keysOk = checkKeys(v, ["src", "dst"], path, report);
    const src = t.need("src", jailPath);
    const dst = t.take("dst", keepDst, null);
    return keysOk && src !== undefined && dst !== undefined ? { src, dst } : undefined;
  }
  const pair = readPair(v, path, report, jailPath, keepDst);
  return pair === undefined ? undefined : { src: pair[0], dst: pair[1] };
}

function keepDst(v: unknown, path: string, report: Report): string | undefined {
  return jailSubPath(v, path, report, "a kept mount goes below the root");
}

/**
 * Plain entries become `{src, dst}` with `dst` = `src` minus the rootfs. Returns the entries
 * and issues for plain entries outside the rootfs (or without one).
 */
export function resolveKeepMounts(
  keep: readonly KeepMount[],
  rootfs: string | null,
  key = "keep_mount",
): { mounts: { src: string; dst: string }[]; issues: { path: string; message: string }[] } {
  const mounts: { src: string; dst: string }[] = [];
  const issues: { path: string; message: string }[] = [];
  keep.forEach((k, i) => {
    if (k.dst !== null) return void mounts.push({ src: k.src, dst: k.dst });
    const path = `${key}[${i}]`;
    const src = describe(k.src);
    if (rootfs === null) {
      issues.push({ path, message: `${src} keeps its place under the rootfs, but there is none: write SRC:DST` });
    } else if (k.src === rootfs || !isUnder(k.src, rootfs)) {
      issues.push({ path, message: `${src} is not below the rootfs ${describe(rootfs)}: write SRC:DST` });
    } else mounts.push({ src: k.src, dst: k.src.slice(rootfs.length) });
  });
  return { mounts, issues };
}

/** `"NEW OLD"` or `{ new, old }`; OLD must lie below NEW (pivot_root(2) refuses otherwise). */
export function readPivotRoot(v: unknown, path: string, report: Report): PivotRoot | undefined {
  let pair: [unknown, unknown, string, string];
  if (isTable(v)) {
    if (!checkKeys(v, ["new", "old"], path, report)) return undefined;
    pair = [v.new, v.old, `${path}.new`, `${path}.old`];
    if (v.new === undefined) return fail(report, pair[2], "missing");
    if (v.old === undefined) return fail(report, pair[3], "missing");
  } else {
    const s = expectCString(v, path, report);
    if (s === undefined) return undefined;
    const parts = s.trim().split(/\s+/);
    if (parts.length !== 2) return fail(report, path, `expected "NEW OLD" (two paths), got ${describe(s)}`);
    pair = [parts[0], parts[1], path, path];
  }
  const [rawNew, rawOld, newAt, oldAt] = pair;
  const root = jailSubPath(rawNew, newAt, report, "pivoting into the current root changes nothing");
  const old = jailPath(rawOld, oldAt, report);
  if (root === undefined || old === undefined) return undefined;
  if (old === root || !isUnder(old, root)) {
    return fail(report, oldAt, `the old root ${describe(old)} must lie below the new root ${describe(root)}`);
  }
  return { new: root, old };
}
