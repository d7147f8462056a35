// Stage 1 (config): the checks both spellings of a hook share (uWSGI string, TOML table): flag
// words, what a mount needs, host names. hook-string.ts and hook-table.ts only split.
import { describe, type Report } from "../expect.ts";
import {
  MOUNT_FLAG_WORDS,
  UMOUNT_FLAG_WORDS,
  type Hook,
  type MountFlagWord,
  type UmountFlagWord,
} from "./model.ts";
import { fail, jailPath, word } from "./paths.ts";

export const HOOK_ACTIONS = ["mount", "umount", "mkdir", "write", "symlink", "chmod", "chdir", "sethostname", "exec"] as const;

/** uWSGI's own other names, accepted in the string form only. */
export const UWSGI_ACTIONS: Readonly<Record<string, (typeof HOOK_ACTIONS)[number]>> = { cd: "chdir", hostname: "sethostname" };

/** uWSGI's other spellings of the same mount flags (core/mount.c). */
const FLAG_ALIASES: Readonly<Record<string, MountFlagWord>> = { recursive: "rec", rdonly: "ro", readonly: "ro" };
const UMOUNT_ALIASES: Readonly<Record<string, UmountFlagWord>> = { recursive: "rec" };
const PROPAGATION: readonly MountFlagWord[] = ["private", "shared", "slave", "unbindable"];
const UTS_MAX = 64;

/** Each word of a mount hook's flag list; uWSGI's `defaults` means none. */
export function mountFlagWords(words: readonly string[], pathAt: (i: number) => string, report: Report): MountFlagWord[] | undefined {
  return flagWords(words, MOUNT_FLAG_WORDS, FLAG_ALIASES, "mount flag", pathAt, report, "defaults");
}

export function umountFlagWords(words: readonly string[], pathAt: (i: number) => string, report: Report): UmountFlagWord[] | undefined {
  return flagWords(words, UMOUNT_FLAG_WORDS, UMOUNT_ALIASES, "umount flag", pathAt, report);
}

function flagWords<W extends string>(
  words: readonly string[],
  vocabulary: readonly W[],
  aliases: Readonly<Record<string, W>>,
  what: string,
  pathAt: (i: number) => string,
  report: Report,
  skip = "",
): W[] | undefined {
  const out: W[] = [];
  let ok = true;
  words.forEach((w, i) => {
    if (w === "" || w === skip) return;
    const f = word(w, vocabulary, aliases, what, pathAt(i), report);
    if (f === undefined) ok = false;
    else if (!out.includes(f)) out.push(f);
  });
  return ok ? out : undefined;
}

export interface MountParts {
  readonly fstype: string;
  readonly src: string;
  readonly dst: string;
  readonly flags: readonly MountFlagWord[];
  readonly options: string | null;
}

/** Where a part of a hook is reported: its key path, and a word naming it inside a string. */
export interface Place {
  readonly path: string;
  readonly label: string;
}

/**
 * A mount hook as mount(2) will see it. `none` (or empty) as the type is no type: that only
 * makes sense for a bind, a move, a remount or a propagation change, so anything else is
 * refused here instead of failing with ENODEV in the jail.
 */
export function mountHook(m: MountParts, at: Readonly<Record<"hook" | "src" | "dst", Place>>, report: Report): Hook | undefined {
  const fstype = m.fstype === "none" || m.fstype === "" ? null : m.fstype;
  const dst = jailPath(m.dst, at.dst.path, labelled(report, at.dst.label));
  const moves = m.flags.includes("bind") || m.flags.includes("move");
  const typeless = moves || m.flags.includes("remount") || m.flags.some((f) => PROPAGATION.includes(f));
  if (fstype === null && !typeless) {
    return fail(report, at.hook.path, "type 'none' mounts nothing: it needs bind, move, remount or a propagation flag");
  }
  // A bind's or move's source is a path; for other types it is a free-form name such as "none".
  const src = moves ? jailPath(m.src, at.src.path, labelled(report, at.src.label)) : m.src;
  if (dst === undefined || src === undefined) return undefined;
  return { action: "mount", fstype, src, dst, flags: m.flags, options: m.options };
}

/** A report whose messages start with `label` ("destination must be…"). */
export function labelled(report: Report, label: string): Report {
  return label === "" ? report : (path, message) => report(path, `${label} ${message}`);
}

export function hostName(s: string, path: string, report: Report): string | undefined {
  const bytes = new TextEncoder().encode(s).length;
  if (bytes >= 1 && bytes <= UTS_MAX) return s;
  return fail(report, path, `a host name is 1 to ${UTS_MAX} bytes long, got ${bytes}`);
}

/** exec's string form runs under the jail's /bin/sh, as uWSGI's does. */
export function shellArgv(command: string, path: string, report: Report): string[] | undefined {
  if (command.trim() !== "") return ["/bin/sh", "-c", command];
  return fail(report, path, `exec needs a command, got ${describe(command)}`);
}
