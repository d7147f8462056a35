// Stage 1 (config): one reader per file-system key and their defaults, in the shape of
// config/fields.ts READERS, so validation can read these keys like any other.
import type { Report } from "../expect.ts";
import { expectArray } from "../expect.ts";
import { type FsConfig, type Hook, type HookPhase, type KeepMount, type NamespaceKey, type PivotRoot } from "./model.ts";
import { readHooks } from "./hook.ts";
import { readMountList, type PlacedMount } from "./mount-flags.ts";
import { readKeepMount, readNamespace, readPivotRoot, readRootfs, resolveKeepMounts } from "./rootfs.ts";

export const FS_KEYS = [
  "rootfs", "namespace", "keep_mount", "pivot_root", "mount",
  "hook_pre_jail", "hook_post_jail", "hook_as_root", "hook_as_user", "hook_post_spawn",
] as const;
export type FsKey = (typeof FS_KEYS)[number];

export interface FsFields {
  rootfs: string;
  namespace: NamespaceKey;
  keep_mount: KeepMount[];
  pivot_root: PivotRoot;
  mount: PlacedMount[];
  hook_pre_jail: Hook[];
  hook_post_jail: Hook[];
  hook_as_root: Hook[];
  hook_as_user: Hook[];
  hook_post_spawn: Hook[];
}

type Reader<T> = (v: unknown, path: string, ctx: { readonly report: Report }) => T | undefined;

const hooks = (phase: HookPhase): Reader<Hook[]> => (v, path, { report }) => readHooks(v, path, phase, report);

export const FS_READERS: { readonly [K in FsKey]: Reader<FsFields[K]> } = {
  rootfs: (v, path, { report }) => readRootfs(v, path, report),
  namespace: (v, path, { report }) => readNamespace(v, path, report),
  keep_mount: (v, path, { report }) => expectArray(v, path, report, (item, p) => readKeepMount(item, p, report)),
  pivot_root: (v, path, { report }) => readPivotRoot(v, path, report),
  mount: (v, path, { report }) => readMountList(v, path, report),
  hook_pre_jail: hooks("pre_jail"),
  hook_post_jail: hooks("post_jail"),
  hook_as_root: hooks("as_root"),
  hook_as_user: hooks("as_user"),
  hook_post_spawn: hooks("post_spawn"),
};

/** `namespace` stands for rootfs (and hostname: the caller takes `namespaceHostname`). */
export function applyFsDefaults(f: Partial<FsFields>): FsConfig {
  const rootfs = f.rootfs ?? f.namespace?.rootfs ?? null;
  return {
    rootfs,
    // Entries that cannot be placed are issues of the keepMountsPlaced rule.
    keepMounts: resolveKeepMounts(f.keep_mount ?? [], rootfs).mounts,
    pivotRoot: f.pivot_root ?? null,
    mounts: (f.mount ?? []).map((m) => m.spec),
    mountKeys: (f.mount ?? []).map((m) => m.key),
    hooks: {
      pre_jail: f.hook_pre_jail ?? [],
      post_jail: f.hook_post_jail ?? [],
      as_root: f.hook_as_root ?? [],
      as_user: f.hook_as_user ?? [],
      post_spawn: f.hook_post_spawn ?? [],
    },
  };
}

/** The hostname `namespace = "ROOT:HOST"` asks for, or null. */
export function namespaceHostname(f: Partial<FsFields>): string | null {
  return f.namespace?.hostname ?? null;
}
