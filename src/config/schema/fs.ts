// Stage 1 (config): the jail's file system — rootfs, namespace, keep_mount, pivot_root, mounts
// and hooks: their keys, defaults and rules. Only the specs live here; the readers, defaults
// and rules in config/fs/ are loaded on first use, so a jail without these keys never loads them.
import type { ConfigIssue } from "../../errors.ts";
import type { FsFields } from "../fs/fields.ts";
import type { FsConfig, NamespaceKey } from "../fs/model.ts";
import type { HostFacts } from "../host.ts";
import type { JailConfig } from "../model.ts";
import { defineKey, type FlagForm, type Key, type KeySpec, type ReadContext, type Rule, type RuleContext } from "./key.ts";

type Fs = typeof import("../fs/fields.ts");

/** config/fs/fields.ts, required on first use. */
function fsFields(): Fs {
  return require("../fs/fields.ts") as Fs;
}

/** The jail of a config without file-system keys: the host's tree, no hooks. */
export const NO_FS: FsConfig = Object.freeze({
  rootfs: null,
  keepMounts: Object.freeze([]),
  pivotRoot: null,
  mounts: Object.freeze([]),
  mountKeys: Object.freeze([]),
  hooks: Object.freeze({ pre_jail: [], post_jail: [], as_root: [], as_user: [], post_spawn: [] }),
});

/** The mount flags: each adds one [[mount]] entry, in command-line order (after the file's). */
export const MOUNT_FLAG_FORMS: readonly FlagForm[] = [
  { flag: "--bind", placeholder: "SRC[:DST]", doc: "Bind a host path, writable." },
  { flag: "--ro-bind", placeholder: "SRC[:DST]", doc: "Bind a host path, read-only (submounts too)." },
  { flag: "--bind-try", placeholder: "SRC[:DST]", doc: "As --bind, skipped with a warning when it cannot be made." },
  { flag: "--ro-bind-try", placeholder: "SRC[:DST]", doc: "As --ro-bind, skipped with a warning when it cannot be made." },
  { flag: "--tmpfs", placeholder: "DST[:size=BYTES,mode=OCTAL,...]", doc: "A fresh tmpfs." },
  { flag: "--proc", placeholder: "DST", doc: "A proc of the jail's pid namespace." },
  { flag: "--dev", placeholder: "DST", doc: "A minimal /dev: null zero full random urandom tty, its own pts, shm, fd links." },
  { flag: "--mqueue", placeholder: "DST", doc: "The jail's POSIX message queues." },
  { flag: "--symlink", placeholder: "TARGET:LINK", doc: "A symbolic link." },
  { flag: "--dir", placeholder: "DST[:MODE]", doc: "A directory." },
  { flag: "--file", placeholder: "DST:TEXT", doc: "A read-only file holding TEXT." },
  { flag: "--file-fd", placeholder: "FD:DST", doc: "A read-only file holding what nsjail reads from FD." },
];

/** A key whose reader is loaded from config/fs/fields.ts when a config first uses it. */
function fsKey<K extends keyof FsFields & string>(spec: KeySpec & { readonly key: K }): Key<K, FsFields[K]> {
  return defineKey(spec, (v, path, ctx: ReadContext) => fsFields().FS_READERS[spec.key](v, path, ctx) as FsFields[K] | undefined);
}

const HOOK_DOCS = {
  pre_jail: "Actions nsjail runs on the host before it clones the jail (mkdir, write, symlink, chmod, exec).",
  post_jail: "Actions run in the jail's new mount namespace before the root is assembled; paths are host paths.",
  as_root: "Actions run in the jail after pivot_root, still privileged; paths are jail paths.",
  as_user: "Actions run in the jail after the uid/gid switch, just before the command.",
  post_spawn: "Actions nsjail runs on the host once the jail runs, with NSJAIL_PID set (mkdir, write, symlink, chmod, exec).",
} as const;

function hookKey<K extends `hook_${keyof typeof HOOK_DOCS}`>(key: K) {
  const phase = key.slice("hook_".length) as keyof typeof HOOK_DOCS;
  return fsKey({
    key,
    flag: `--${key.replace(/_/g, "-")}`,
    kind: "hook[]",
    repeatable: true,
    placeholder: "ACTION:ARGS",
    defaultDoc: "none",
    doc: `${HOOK_DOCS[phase]} uWSGI's \`action:args\` strings or tables (docs/hooks.md).`,
  });
}

export const FS_KEYS = [
  fsKey({
    key: "rootfs",
    flag: "--rootfs",
    kind: "string",
    repeatable: false,
    placeholder: "DIR",
    defaultDoc: "none: the host's tree, or an empty tmpfs root when mounts are given",
    doc: "Host directory that becomes `/`: bound onto itself without the host mounts below it, read-only, never written by nsjail. The jail gets a fresh /proc (with a pid namespace) and a minimal /dev; uid and gid names resolve in its /etc/passwd and /etc/group.",
  }),
  fsKey({
    key: "namespace",
    flag: "--namespace",
    kind: "string",
    repeatable: false,
    placeholder: "ROOT[:HOST]",
    defaultDoc: "none",
    doc: "uWSGI's one-key form: `ROOT[:HOSTNAME]` sets `rootfs` and `hostname` together.",
  }),
  fsKey({
    key: "keep_mount",
    flag: "--keep-mount",
    kind: "keep_mount[]",
    repeatable: true,
    placeholder: "SRC[:DST]",
    defaultDoc: "none",
    doc: "Host mounts that stay visible: a mount below the rootfs keeps its place (`/ns/001/apps/nfs` is `/apps/nfs`); `SRC:DST` binds a host path, with the mounts below it, at DST.",
  }),
  fsKey({
    key: "pivot_root",
    flag: "--pivot-root",
    kind: "pivot_root",
    repeatable: false,
    placeholder: "'NEW OLD'",
    defaultDoc: "none",
    doc: "uWSGI's manual mode: pivot into the host directory NEW (bound onto itself unless it is a mount point) and keep the old root at OLD, below NEW, until a hook unmounts it.",
  }),
  fsKey({
    key: "mount",
    flag: null,
    kind: "mount[]",
    repeatable: true,
    placeholder: "",
    defaultDoc: "none",
    doc: "Mounts made in order inside the new root: bind, tmpfs, proc, dev, mqueue, overlay, fs (any type with a data string), symlink, dir, file. The flags add theirs after the file's, in command-line order.",
    forms: MOUNT_FLAG_FORMS,
  }),
  hookKey("hook_pre_jail"),
  hookKey("hook_post_jail"),
  hookKey("hook_as_root"),
  hookKey("hook_as_user"),
  hookKey("hook_post_spawn"),
] as const;

const FS_KEY_NAMES: readonly string[] = FS_KEYS.map((k) => k.key);

/** Whether a config wrote any file-system key (only then is config/fs/ loaded). */
function usesFs(f: Readonly<Record<string, unknown>>): boolean {
  return FS_KEY_NAMES.some((k) => f[k] !== undefined);
}

export function fsDefaults(f: Partial<FsFields>): Pick<JailConfig, "fs"> {
  return { fs: usesFs(f) ? fsFields().applyFsDefaults(f) : NO_FS };
}

/** `namespace = "ROOT:HOST"` sets the hostname when `hostname` does not. */
export function namespaceHostname(namespace: NamespaceKey | undefined): string | null {
  return namespace?.hostname ?? null;
}

/** The rootfs whose /etc/passwd and /etc/group name the jail's users, or null. */
export function idRoot(f: Partial<FsFields>, host: HostFacts): string | null {
  const root = f.rootfs ?? f.namespace?.rootfs ?? null;
  return root === null ? null : (host.paths.realpath(root) ?? root);
}

/** config/fs/rules.ts on the draft, each rule skipped when a key it reads failed. */
function fsRules(config: JailConfig, _host: HostFacts, ctx: RuleContext): ConfigIssue[] {
  if (!usesFs(ctx.fields)) return [];
  const rules = require("../fs/rules.ts") as typeof import("../fs/rules.ts");
  const keepMount = (ctx.fields.keep_mount ?? []) as FsFields["keep_mount"];
  return rules.runFsRules({ fs: config.fs, keepMount, unshare: config.unshare, exec: config.exec, given: ctx.given }, ctx.invalid);
}

export const FS_RULES: readonly Rule[] = [{ name: "fs", uses: [], check: fsRules }];
