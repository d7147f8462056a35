// Stage 2 (plan): the hooks that run inside the jail (post_jail, as_root, as_user) as ops, one
// syscall each, exactly as written: paths are not resolved in any root (a hook of the seed
// reaches into /.old_root on purpose). Every op's origin names the phase's key and the hook's
// index, so a failing hook ends the jail with one line saying which one, what and why.
import type { Hook, HookPhase, MountFlagWord, UmountFlagWord } from "../../config/fs/model.ts";
import type { JailConfig } from "../../config/model.ts";
import { MS } from "../../sys/constants.ts";
import { MNT, O } from "../../sys/fs-constants.ts";
import { fd, op, type Op, type OpOrigin } from "../types.ts";
import { how } from "./place.ts";

const MOUNT_FLAGS: Readonly<Record<MountFlagWord, number>> = {
  bind: MS.BIND, rec: MS.REC, ro: MS.RDONLY, nosuid: MS.NOSUID, nodev: MS.NODEV, noexec: MS.NOEXEC,
  noatime: MS.NOATIME, nodiratime: MS.NODIRATIME, relatime: MS.RELATIME, strictatime: MS.STRICTATIME,
  dirsync: MS.DIRSYNC, sync: MS.SYNCHRONOUS, mandlock: MS.MANDLOCK, move: MS.MOVE, remount: MS.REMOUNT,
  private: MS.PRIVATE, shared: MS.SHARED, slave: MS.SLAVE, unbindable: MS.UNBINDABLE,
};

/** umount2 has no recursive flag, but a lazy unmount takes every mount below the path with
 * it: `rec` is a detach (uWSGI walks the mount table instead, one umount each). */
const UMOUNT_FLAGS: Readonly<Record<UmountFlagWord, number>> = { rec: MNT.DETACH, detach: MNT.DETACH, force: MNT.FORCE };

const FILE_MODE = 0o644;

function mask<W extends string>(words: readonly W[], table: Readonly<Record<W, number>>): number {
  return words.reduce((m, w) => m | table[w], 0);
}

function opsOf(hook: Hook, env: readonly string[], path: string | null, o: (note: string) => OpOrigin): Op[] {
  switch (hook.action) {
    case "mount": {
      const words = hook.flags.length > 0 ? ` ${hook.flags.join(",")}` : "";
      const note = `mount ${hook.fstype ?? "none"} ${hook.src} ${hook.dst}${words}${hook.options === null ? "" : ` ${hook.options}`}`;
      return [op("mount", [hook.src, hook.dst, hook.fstype, mask(hook.flags, MOUNT_FLAGS), hook.options], o(note))];
    }
    case "umount": {
      const words = hook.flags.length > 0 ? ` (${hook.flags.join(",")})` : "";
      return [op("umount2", [hook.path, mask(hook.flags, UMOUNT_FLAGS)], o(`umount ${hook.path}${words}`))];
    }
    case "mkdir":
      return [op("mkdir", [hook.path, hook.mode], o(`mkdir ${hook.path}`))];
    case "write":
      return [
        op("openat2", [fd("file"), fd("at_cwd"), hook.path, how(O.WRONLY | O.CREAT | O.TRUNC | O.CLOEXEC, FILE_MODE, 0)], o(`open ${hook.path} to write`)),
        op("write", [fd("file"), hook.content], o(`write ${hook.path}`)),
        op("close", [fd("file")], o(`close ${hook.path}`)),
      ];
    case "symlink":
      return [op("symlinkat", [hook.target, fd("at_cwd"), hook.path], o(`symlink ${hook.path} → ${hook.target}`))];
    case "chmod":
      return [op("fchmodat", [fd("at_cwd"), hook.path, hook.mode], o(`chmod ${hook.mode.toString(8).padStart(4, "0")} ${hook.path}`))];
    case "chdir":
      return [op("chdir", [hook.path], o(`chdir ${hook.path}`))];
    case "sethostname":
      return [op("sethostname", [hook.name], o(`sethostname ${hook.name}`))];
    case "exec": {
      const [file, ...rest] = hook.argv;
      const search = file!.includes("/") ? null : path;
      return [op("exec_wait", [file!, [file!, ...rest], env, search], o(`exec ${hook.argv.join(" ")}`))];
    }
  }
}

/** The ops of one in-jail phase's hooks; an exec hook gets the command's environment. */
export function planHooks(config: JailConfig, phase: Exclude<HookPhase, "pre_jail" | "post_spawn">): Op[] {
  const key = `hook_${phase}`;
  const env = config.env.map(([k, v]) => `${k}=${v}`);
  const path = config.env.find(([k]) => k === "PATH")?.[1] ?? null;
  return config.fs.hooks[phase].flatMap((hook, i) => opsOf(hook, env, path, (note) => ({ path: `${key}[${i}]`, note })));
}
