// Stage 1 (config): cross-field rules of the file-system keys, one named function each, run
// on the defaulted values and skipped when a key they read failed its own check.
import type { ConfigIssue } from "../../errors.ts";
import type { FsKey } from "./fields.ts";
import { HOOK_PHASES, type FsConfig, type Hook, type KeepMount, type MountSpec } from "./model.ts";
import { HOOK_KEYS } from "./hook.ts";
import { resolveKeepMounts } from "./rootfs.ts";

export interface FsDraft {
  readonly fs: FsConfig;
  /** keep_mount as written (plain entries not yet placed under the rootfs). */
  readonly keepMount: readonly KeepMount[];
  readonly unshare: ReadonlySet<string>;
  /** exec mode: nsjail becomes the jail, no parent stays behind. */
  readonly exec: boolean;
  /** Keys present in the raw config, valid or not. */
  readonly given: ReadonlySet<string>;
}

export interface FsRule {
  readonly name: string;
  readonly uses: readonly (FsKey | "unshare" | "hostname" | "exec")[];
  readonly check: (d: FsDraft) => ConfigIssue[];
}

const needs = (path: string, ns: string, what = "needs"): ConfigIssue => ({
  path,
  message: `${what} the ${ns} namespace (add "${ns}" to unshare)`,
});

/** Every hook with its key path, e.g. ["hook_as_root[3]", hook]. */
function eachHook(fs: FsConfig): [string, Hook][] {
  return HOOK_PHASES.flatMap((p) => fs.hooks[p].map((h, i): [string, Hook] => [`${HOOK_KEYS[p]}[${i}]`, h]));
}

const MOUNTING_KEYS = ["rootfs", "namespace", "keep_mount", "pivot_root", "mount"] as const;

/** Without a mount namespace every mount, unmount and pivot would happen on the host. */
export function fsNeedsMountNamespace({ fs, unshare, given }: FsDraft): ConfigIssue[] {
  if (unshare.has("fs")) return [];
  const keys = MOUNTING_KEYS.filter((k) => given.has(k));
  const hooks = eachHook(fs).filter(([, h]) => h.action === "mount" || h.action === "umount");
  return [...keys, ...hooks.map(([p]) => p)].map((p) => needs(p, "fs"));
}

/** `namespace` is shorthand for rootfs + hostname: writing either as well is ambiguous. */
export function namespaceStandsAlone({ given }: FsDraft): ConfigIssue[] {
  if (!given.has("namespace")) return [];
  return (["rootfs", "hostname"] as const)
    .filter((k) => given.has(k))
    .map((k) => ({ path: k, message: `namespace already sets the ${k}: give one of them` }));
}

/** rootfs pivots into itself; pivot_root is the manual mode for roots assembled by hooks. */
export function rootfsOrPivotRoot({ fs, given }: FsDraft): ConfigIssue[] {
  if (fs.rootfs === null || fs.pivotRoot === null) return [];
  const by = given.has("namespace") ? "namespace" : "rootfs";
  return [{ path: "pivot_root", message: `cannot be used with ${by}, which pivots into its own root` }];
}

export function keepMountsPlaced({ fs, keepMount }: FsDraft): ConfigIssue[] {
  return resolveKeepMounts(keepMount, fs.rootfs).issues;
}

/** Without these namespaces the jail would see the host's processes, queues or interfaces,
 * and a rootless mount of them is refused by the kernel. */
const OWNER_NS: Readonly<Record<string, string>> = { proc: "pid", mqueue: "ipc", sysfs: "net" };

function fstypeOf(m: MountSpec): string | null {
  if (m.kind === "proc" || m.kind === "mqueue") return m.kind;
  return m.kind === "fs" ? m.fstype : null;
}

export function kernelFsNeedOwnNamespace({ fs, unshare }: FsDraft): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (path: string, fstype: string | null) => {
    const ns = fstype === null ? undefined : OWNER_NS[fstype];
    if (ns !== undefined && !unshare.has(ns)) issues.push(needs(path, ns, `${fstype} needs`));
  };
  fs.mounts.forEach((m, i) => check(fs.mountKeys[i]!, fstypeOf(m)));
  for (const [path, h] of eachHook(fs)) if (h.action === "mount") check(path, h.fstype);
  return issues;
}

export function hostnameHookNeedsUts({ fs, unshare }: FsDraft): ConfigIssue[] {
  if (unshare.has("uts")) return [];
  return eachHook(fs).filter(([, h]) => h.action === "sethostname").map(([p]) => needs(p, "uts"));
}

interface PlaceNode {
  /** Index of the last mount at this place, or -1. */
  last: number;
  readonly below: Map<string, PlaceNode>;
}

/**
 * Mounts run in order, so a later mount on the same place or on a parent hides an earlier one
 * (a tmpfs on /tmp after a bind on /tmp/x). A tree of path components keeps this linear.
 */
export function mountsNotHidden({ fs }: FsDraft): ConfigIssue[] {
  const root: PlaceNode = { last: -1, below: new Map() };
  // visit(node, end): `end` is where this component ends in dst (dst.length: dst itself).
  const walk = (dst: string, visit: (n: PlaceNode, end: number) => boolean) => {
    let node = root;
    let end = 0;
    for (const part of dst.split("/").slice(1)) {
      end += part.length + 1;
      let next = node.below.get(part);
      if (next === undefined) node.below.set(part, (next = { last: -1, below: new Map() }));
      node = next;
      if (visit(node, end)) return;
    }
  };
  fs.mounts.forEach((m, i) => walk(m.dst, (n, end) => ((n.last = end === m.dst.length ? i : n.last), false)));
  const issues: ConfigIssue[] = [];
  fs.mounts.forEach((m, i) =>
    walk(m.dst, (n, end) => {
      if (n.last <= i) return false;
      const where = end === m.dst.length ? "the same place" : m.dst.slice(0, end);
      const by = `${fs.mountKeys[n.last]} (${fs.mounts[n.last]?.kind} on ${where})`;
      issues.push({ path: fs.mountKeys[i]!, message: `is hidden by ${by}, which comes later: list it first` });
      return true;
    }),
  );
  return issues;
}

/** With exec no parent stays behind to run post_spawn hooks or to read an fd for a file. */
export function execLeavesNoParent({ fs, exec }: FsDraft): ConfigIssue[] {
  if (!exec) return [];
  const why = "needs nsjail to stay as supervisor: not with exec";
  const issues = fs.hooks.post_spawn.length > 0 ? [{ path: HOOK_KEYS.post_spawn, message: why }] : [];
  fs.mounts.forEach((m, i) => {
    if (m.kind === "file" && "fd" in m.content) issues.push({ path: fs.mountKeys[i]!, message: "a file from an fd is not passed to exec mode's image: give content instead" });
  });
  return issues;
}

/**
 * symlink and dir entries write where they are made: only inside file systems nsjail makes (the
 * empty root, an earlier tmpfs or dev mount). A rootfs or pivot_root's NEW is the user's own.
 */
export function writesOnlyOwnFs({ fs }: FsDraft): ConfigIssue[] {
  const emptyRoot = fs.rootfs === null && fs.pivotRoot === null;
  const owned = new Set<string>();
  const issues: ConfigIssue[] = [];
  fs.mounts.forEach((m, i) => {
    // Each ancestor looked up once: linear in the length of the paths.
    let inside = emptyRoot;
    for (let end = m.dst.lastIndexOf("/"); !inside && end > 0; end = m.dst.lastIndexOf("/", end - 1)) inside = owned.has(m.dst.slice(0, end));
    if ((m.kind === "symlink" || m.kind === "dir") && !inside) {
      const root = fs.rootfs ?? fs.pivotRoot?.new;
      issues.push({ path: fs.mountKeys[i]!, message: `would write into ${root} (nsjail never writes it): put it below a tmpfs mount` });
    }
    if (m.kind === "tmpfs" || m.kind === "dev") owned.add(m.dst);
  });
  return issues;
}

export const FS_RULES: readonly FsRule[] = [
  { name: "fsNeedsMountNamespace", uses: ["unshare", ...MOUNTING_KEYS, ...hookKeys()], check: fsNeedsMountNamespace },
  { name: "namespaceStandsAlone", uses: ["namespace", "rootfs", "hostname"], check: namespaceStandsAlone },
  { name: "rootfsOrPivotRoot", uses: ["rootfs", "namespace", "pivot_root"], check: rootfsOrPivotRoot },
  { name: "keepMountsPlaced", uses: ["keep_mount", "rootfs", "namespace"], check: keepMountsPlaced },
  { name: "kernelFsNeedOwnNamespace", uses: ["unshare", "mount", ...hookKeys()], check: kernelFsNeedOwnNamespace },
  { name: "hostnameHookNeedsUts", uses: ["unshare", ...hookKeys()], check: hostnameHookNeedsUts },
  { name: "mountsNotHidden", uses: ["mount"], check: mountsNotHidden },
  { name: "execLeavesNoParent", uses: ["exec", "mount", "hook_post_spawn"], check: execLeavesNoParent },
  { name: "writesOnlyOwnFs", uses: ["mount", "rootfs", "namespace", "pivot_root"], check: writesOnlyOwnFs },
];

function hookKeys(): FsKey[] {
  return HOOK_PHASES.map((p) => HOOK_KEYS[p] as FsKey);
}

export function runFsRules(draft: FsDraft, invalid: ReadonlySet<string>): ConfigIssue[] {
  return FS_RULES.filter((r) => !r.uses.some((k) => invalid.has(k))).flatMap((r) => r.check(draft));
}
