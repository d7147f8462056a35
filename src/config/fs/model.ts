// Stage 1 (config): the validated shape of a jail's file system — root, mounts, kept host
// mounts, pivot_root and hooks. Paths here are checked (absolute, no `..`, no NUL); no kernel
// numbers: plan/ turns the words below into MS_* and MNT_* flags.

/** Flags every mounted kind has. Locked flags of a bind's source are kept by the planner. */
export interface MountFlags {
  readonly rw: boolean;
  readonly nosuid: boolean;
  readonly nodev: boolean;
  readonly noexec: boolean;
}

interface Placed {
  /** Absolute, normalized path inside the jail. */
  readonly dst: string;
  /** A failure is a warning and the jail goes on. */
  readonly optional: boolean;
}

interface Mounted extends Placed {
  readonly flags: MountFlags;
  /** Make a missing mount point in the user's rootfs (otherwise that is an error). */
  readonly create: boolean;
}

export type MountSpec =
  | (Mounted & { readonly kind: "bind"; readonly src: string; readonly recursive: boolean })
  | (Mounted & { readonly kind: "tmpfs"; readonly size: string | null; readonly mode: number | null; readonly options: string })
  | (Mounted & { readonly kind: "proc"; readonly options: string })
  /** A tmpfs holding null, zero, full, random, urandom, tty, pts, shm and the fd links. */
  | (Mounted & { readonly kind: "dev" })
  | (Mounted & { readonly kind: "mqueue"; readonly options: string })
  /** upper/work both null: a throwaway tmpfs upper layer. */
  | (Mounted & {
      readonly kind: "overlay";
      readonly lower: readonly string[];
      readonly upper: string | null;
      readonly work: string | null;
      readonly options: string;
    })
  /** Any other file system type with its data string, e.g. sysfs. */
  | (Mounted & { readonly kind: "fs"; readonly fstype: string; readonly src: string; readonly options: string })
  | (Placed & { readonly kind: "symlink"; readonly target: string })
  | (Placed & { readonly kind: "dir"; readonly mode: number })
  | (Mounted & { readonly kind: "file"; readonly content: FileContent; readonly mode: number });

export type MountKind = MountSpec["kind"];

export type FileContent = { readonly text: string } | { readonly fd: number };

/** A host mount that stays visible in the jail: at its place under the rootfs, or at `dst`. */
export interface KeepMount {
  readonly src: string;
  /** null: `src` lies under the rootfs and keeps its place (resolved by resolveKeepMounts). */
  readonly dst: string | null;
}

/** The seed's manual mode: pivot into `new`, keep the old root at `old` (under `new`). */
export interface PivotRoot {
  readonly new: string;
  readonly old: string;
}

/** `namespace = "ROOT[:HOST]"`: a rootfs and, optionally, a hostname in one key. */
export interface NamespaceKey {
  readonly rootfs: string;
  readonly hostname: string | null;
}

export const HOOK_PHASES = ["pre_jail", "post_jail", "as_root", "as_user", "post_spawn"] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

/** Phases run by nsjail on the host: nothing there may touch mounts or names. */
export const HOST_PHASES: ReadonlySet<HookPhase> = new Set(["pre_jail", "post_spawn"]);

/** mount(2) flag words of a mount hook (uWSGI's words; aliases folded in hook-words.ts). */
export const MOUNT_FLAG_WORDS = [
  "bind", "rec", "ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime",
  "strictatime", "dirsync", "sync", "mandlock", "move", "remount", "private", "shared", "slave",
  "unbindable",
] as const;
export type MountFlagWord = (typeof MOUNT_FLAG_WORDS)[number];

/** umount2(2) flag words; `rec` also takes the mounts below the path. */
export const UMOUNT_FLAG_WORDS = ["rec", "detach", "force"] as const;
export type UmountFlagWord = (typeof UMOUNT_FLAG_WORDS)[number];

export type Hook =
  | {
      readonly action: "mount";
      /** null for uWSGI's `none` (binds, moves and remounts need no type). */
      readonly fstype: string | null;
      readonly src: string;
      readonly dst: string;
      readonly flags: readonly MountFlagWord[];
      readonly options: string | null;
    }
  | { readonly action: "umount"; readonly path: string; readonly flags: readonly UmountFlagWord[] }
  | { readonly action: "mkdir"; readonly path: string; readonly mode: number }
  | { readonly action: "write"; readonly path: string; readonly content: string }
  | { readonly action: "symlink"; readonly path: string; readonly target: string }
  | { readonly action: "chmod"; readonly path: string; readonly mode: number }
  | { readonly action: "chdir"; readonly path: string }
  | { readonly action: "sethostname"; readonly name: string }
  /** Runs argv, waits, and fails the jail when it fails. */
  | { readonly action: "exec"; readonly argv: readonly string[] };

export type HookAction = Hook["action"];

/** What config/ hands to plan/ for the file system, fully defaulted. */
export interface FsConfig {
  /** Host directory that becomes `/`, bound non-recursively; null: an empty tmpfs root. */
  readonly rootfs: string | null;
  readonly keepMounts: readonly { readonly src: string; readonly dst: string }[];
  readonly pivotRoot: PivotRoot | null;
  /** In the order given: a later mount may cover an earlier one's parent. */
  readonly mounts: readonly MountSpec[];
  /** Where each mount was written, for messages: `mount[2]` (the file) or `--bind[0]` (a flag). */
  readonly mountKeys: readonly string[];
  readonly hooks: { readonly [P in HookPhase]: readonly Hook[] };
}
