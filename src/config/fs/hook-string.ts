// Stage 1 (config): a hook in uWSGI's string syntax, `action:args`, split the way uWSGI's
// core/hooks.c and core/mount.c split it:
//   mount:<fstype> <src> <dst> [flags,...] [data]   (fstype/src `none` = no type/source)
//   umount:<path> [flags,...]   mkdir:<path>   chdir:<path>   write:<path> <content>
//   chmod:<path> <mode>   symlink:<target> <link>   sethostname:<name>   exec:<shell command>
import { describe, type Report } from "../expect.ts";
import type { Hook } from "./model.ts";
import {
  HOOK_ACTIONS,
  UWSGI_ACTIONS,
  hostName,
  labelled,
  mountFlagWords,
  mountHook,
  shellArgv,
  umountFlagWords,
} from "./hook-args.ts";
import { fail, fileMode, jailPath, word } from "./paths.ts";

/** The first `n` words (split at runs of blanks) and whatever follows them, or null if fewer. */
function words(s: string, n: number): { head: string[]; rest: string } | null {
  const head: string[] = [];
  let i = 0;
  while (head.length < n) {
    while (s[i] === " " || s[i] === "\t") i++;
    if (i >= s.length) return null;
    let j = i;
    while (j < s.length && s[j] !== " " && s[j] !== "\t") j++;
    head.push(s.slice(i, j));
    i = j;
  }
  while (s[i] === " " || s[i] === "\t") i++;
  return { head, rest: s.slice(i) };
}

export function readHookString(s: string, path: string, report: Report): Hook | undefined {
  const colon = s.indexOf(":");
  if (colon < 0) return fail(report, path, `expected "action:arguments" such as "mount:proc none /proc", got ${describe(s)}`);
  const action = word(s.slice(0, colon), HOOK_ACTIONS, UWSGI_ACTIONS, "hook action", path, report);
  if (action === undefined) return undefined;
  const args = s.slice(colon + 1);
  const usage = (shape: string) => fail(report, path, `expected "${s.slice(0, colon)}:${shape}", got ${describe(s)}`);
  const inJail = (p: string, label: string) => jailPath(p, path, labelled(report, label));

  switch (action) {
    case "mount": {
      const w = words(args, 3);
      if (w === null) return usage("<fstype> <src> <dst> [flags] [data]");
      const [fstype = "", src = "", dst = ""] = w.head;
      const more = words(w.rest, 1);
      const flags = mountFlagWords(more?.head[0]?.split(",") ?? [], () => path, report);
      if (flags === undefined) return undefined;
      const at = { hook: { path, label: "" }, src: { path, label: "source" }, dst: { path, label: "destination" } };
      return mountHook({ fstype, src, dst, flags, options: more?.rest || null }, at, report);
    }
    case "umount": {
      const w = words(args, 1);
      if (w === null) return usage("<path> [flags]");
      const target = inJail(w.head[0] ?? "", "path");
      const flags = umountFlagWords(w.rest.split(","), () => path, report);
      return target === undefined || flags === undefined ? undefined : { action, path: target, flags };
    }
    case "write":
    case "chmod":
    case "symlink": {
      const sp = args.indexOf(" ");
      if (sp < 0) return usage(action === "write" ? "<path> <content>" : action === "chmod" ? "<path> <mode>" : "<target> <link>");
      const [first, second] = [args.slice(0, sp), args.slice(sp + 1)];
      if (action === "symlink") {
        const link = inJail(second, "link");
        return link === undefined ? undefined : { action, path: link, target: first };
      }
      const target = inJail(first, "path");
      if (action === "write") return target === undefined ? undefined : { action, path: target, content: second };
      const mode = fileMode(second, path, report);
      return target === undefined || mode === undefined ? undefined : { action, path: target, mode };
    }
    case "mkdir":
    case "chdir": {
      const target = inJail(args, "path");
      if (target === undefined) return undefined;
      return action === "mkdir" ? { action, path: target, mode: 0o755 } : { action, path: target };
    }
    case "sethostname": {
      const name = hostName(args, path, report);
      return name === undefined ? undefined : { action, name };
    }
    case "exec": {
      const argv = shellArgv(args, path, report);
      return argv === undefined ? undefined : { action, argv };
    }
  }
}
