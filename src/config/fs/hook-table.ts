// Stage 1 (config): a hook as a TOML table: the action is the one key naming it, its value the
// main argument, e.g. `{ umount = "/.old_root", flags = ["rec", "detach"] }` or
// `{ mount = "/proc", fstype = "proc", flags = ["nodev"], options = "hidepid=2" }`.
import { describe, expectArray, expectCString, expectString, type Report, type Table } from "../expect.ts";
import type { Hook } from "./model.ts";
import { HOOK_ACTIONS, hostName, mountFlagWords, mountHook, shellArgv, umountFlagWords } from "./hook-args.ts";
import { fail, fileMode, jailPath, suggest } from "./paths.ts";
import { checkKeys, tableReader, type TableReader } from "./table.ts";

type Action = (typeof HOOK_ACTIONS)[number];

/** The keys each action takes besides its own. */
const ACTION_KEYS: Readonly<Record<Action, readonly string[]>> = {
  mount: ["fstype", "src", "flags", "options"],
  umount: ["flags"],
  mkdir: ["mode"],
  write: ["content"],
  symlink: ["target"],
  chmod: ["mode"],
  chdir: [],
  sethostname: [],
  exec: [],
};

export function readHookTable(v: Table, path: string, report: Report): Hook | undefined {
  const named = Object.keys(v).filter((k) => (HOOK_ACTIONS as readonly string[]).includes(k)) as Action[];
  if (named.length !== 1) {
    const stray = Object.keys(v).find((k) => !Object.values(ACTION_KEYS).some((keys) => keys.includes(k)));
    const hint = named.length === 0 && stray !== undefined ? suggest(stray, HOOK_ACTIONS) : "";
    const found = named.length === 0 ? "none" : named.join(", ");
    return fail(report, path, `a hook table names exactly one action (${HOOK_ACTIONS.join(", ")}), found ${found}${hint}`);
  }
  const action = named[0] as Action;
  const t = tableReader(v, path, report) as TableReader;
  const keysOk = checkKeys(v, [action, ...ACTION_KEYS[action]], path, report);
  const hook = readAction(action, t, path, report);
  return keysOk && !t.failed() ? hook : undefined;
}

function readAction(action: Action, t: TableReader, path: string, report: Report): Hook | undefined {
  const main = `${path}.${action}`;
  const target = () => t.need(action, jailPath);
  switch (action) {
    case "mount": {
      const dst = t.need("mount", expectCString);
      const fstype = t.take("fstype", expectCString, "none");
      const src = t.take("src", expectCString, "none");
      const flags = t.take("flags", (x, p, r) => wordList(x, p, r, mountFlagWords), []);
      const options = t.take("options", expectCString, null);
      if ([dst, fstype, src, flags, options].includes(undefined)) return undefined;
      const at = { hook: { path, label: "" }, src: { path: `${path}.src`, label: "" }, dst: { path: main, label: "" } };
      const m = { fstype: fstype as string, src: src as string, dst: dst as string, flags: flags ?? [], options: options ?? null };
      return mountHook(m, at, report);
    }
    case "umount": {
      const p = target();
      const flags = t.take("flags", (x, fp, r) => wordList(x, fp, r, umountFlagWords), []);
      return p === undefined || flags === undefined ? undefined : { action, path: p, flags };
    }
    case "mkdir":
    case "chmod": {
      const p = target();
      const mode = action === "mkdir" ? t.take("mode", fileMode, 0o755) : t.need("mode", fileMode);
      return p === undefined || mode === undefined ? undefined : { action, path: p, mode };
    }
    case "write": {
      const p = target();
      const content = t.need("content", expectCString);
      return p === undefined || content === undefined ? undefined : { action, path: p, content };
    }
    case "symlink": {
      const p = target();
      const link = t.need("target", expectCString);
      return p === undefined || link === undefined ? undefined : { action, path: p, target: link };
    }
    case "chdir": {
      const p = target();
      return p === undefined ? undefined : { action, path: p };
    }
    case "sethostname": {
      const name = t.need(action, (x, p, r) => {
        const s = expectCString(x, p, r);
        return s === undefined ? undefined : hostName(s, p, r);
      });
      return name === undefined ? undefined : { action, name };
    }
    case "exec": {
      const argv = t.need(action, execArgv);
      return argv === undefined ? undefined : { action, argv };
    }
  }
}

/** `exec = "shell command"` or `exec = ["/bin/prog", "arg"]` (run as is, no shell). */
function execArgv(v: unknown, path: string, report: Report): string[] | undefined {
  if (typeof v === "string") {
    const s = expectCString(v, path, report);
    return s === undefined ? undefined : shellArgv(s, path, report);
  }
  const argv = expectArray(v, path, report, (item, p) => expectCString(item, p, report));
  if (argv === undefined || (argv[0] ?? "") !== "") return argv;
  return fail(report, path, `needs a program, got ${describe(v)}`);
}

function wordList<W>(
  v: unknown,
  path: string,
  report: Report,
  read: (words: string[], pathAt: (i: number) => string, report: Report) => W[] | undefined,
): W[] | undefined {
  const words = expectArray(v, path, report, (item, p) => expectString(item, p, report));
  return words === undefined ? undefined : read(words, (i) => `${path}[${i}]`, report);
}
