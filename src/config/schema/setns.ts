// Stage 1 (config): the setns socket — a running jail serves its namespaces to `nsjail join`
// over a UNIX socket (docs/setns.md): its keys, readers, defaults and rules.
import type { ConfigIssue } from "../../errors.ts";
import { byteLength } from "../../sys/bytes.ts";
import { describe, expectArray, expectBool, expectCString } from "../expect.ts";
import { NAMESPACES, type JailConfig } from "../model.ts";
import { idReader } from "./id-names.ts";
import { defineKey, sortedUnique, type Reader, type Rule, type ValuesOf } from "./key.ts";
import { readNamespace } from "./ns.ts";

/** sun_path holds 108 bytes with the terminating NUL. */
const SUN_PATH_MAX = 107;
const GROUP_PREFIX = "group:";
const USER_PREFIX = "user:";

const readSocketPath: Reader<string> = (v, path, { report }) => {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const bytes = byteLength(s);
  if (!s.startsWith("/") || s.endsWith("/")) report(path, `expected an absolute path to a socket file, got ${describe(s)}`);
  else if (bytes > SUN_PATH_MAX) report(path, `${bytes} bytes is too long for a UNIX socket (at most ${SUN_PATH_MAX})`);
  else return s;
  return undefined;
};

type Principal = { readonly uid: number } | { readonly gid: number };

const userId = idReader("user");
const groupId = idReader("group");

/** `alice`, `1001`, `user:alice` or `group:wheel`, `group:100`; a TOML integer is a uid. */
const readPrincipal: Reader<Principal> = (v, path, ctx) => {
  if (typeof v === "string" && v.startsWith(GROUP_PREFIX)) {
    const gid = groupId(v.slice(GROUP_PREFIX.length), path, ctx);
    return gid === undefined ? undefined : { gid };
  }
  const uid = userId(typeof v === "string" && v.startsWith(USER_PREFIX) ? v.slice(USER_PREFIX.length) : v, path, ctx);
  return uid === undefined ? undefined : { uid };
};

export const SETNS_KEYS = [
  defineKey(
    {
      key: "setns_socket",
      flag: "--setns-socket",
      kind: "string",
      repeatable: false,
      placeholder: "PATH",
      defaultDoc: "none",
      doc: "Serve the jail's namespaces on this UNIX socket (mode 0600, yours) while it runs, for `nsjail join PATH`; a stale socket is replaced, anything else at PATH is refused (see docs/setns.md).",
    },
    readSocketPath,
  ),
  defineKey(
    {
      key: "setns_preopen",
      flag: "--setns-preopen",
      kind: "bool",
      repeatable: false,
      placeholder: "",
      defaultDoc: "`false` (opened at each connection)",
      doc: "Open the jail's /proc/PID/ns/* once, when it starts, and serve those: the namespaces it started with, even after it leaves them.",
    },
    (v, path, { report }) => expectBool(v, path, report),
  ),
  defineKey(
    {
      key: "setns_skip",
      flag: "--setns-skip",
      kind: "namespace[]",
      repeatable: true,
      placeholder: "NS,NS,...",
      defaultDoc: "none",
      doc: "Namespaces the socket leaves out (e.g. `net`); it sends only namespaces the jail unshared.",
    },
    (v, path, { report }) => expectArray(v, path, report, (item, p) => readNamespace(item, p, report)),
  ),
  defineKey(
    {
      key: "setns_allow",
      flag: "--setns-allow",
      kind: "principal[]",
      repeatable: true,
      placeholder: "USER|group:GROUP",
      defaultDoc: "none (you and root only)",
      doc: "Further users and groups that may join; the socket then becomes mode 0666 and every peer is checked with SO_PEERCRED.",
    },
    (v, path, ctx) => expectArray(v, path, ctx.report, (item, p) => readPrincipal(item, p, ctx)),
  ),
] as const;

type SetnsFields = Partial<ValuesOf<typeof SETNS_KEYS>>;

export function setnsDefaults(f: SetnsFields, unshare: JailConfig["unshare"]): Pick<JailConfig, "setns"> {
  const skip = new Set(f.setns_skip ?? []);
  const allow = f.setns_allow ?? [];
  return {
    setns: {
      path: f.setns_socket ?? null,
      preopen: f.setns_preopen ?? false,
      skip,
      kinds: NAMESPACES.filter((ns) => unshare.has(ns) && !skip.has(ns)),
      allowUids: sortedUnique(allow.flatMap((p) => ("uid" in p ? [p.uid] : []))),
      allowGids: sortedUnique(allow.flatMap((p) => ("gid" in p ? [p.gid] : []))),
    },
  };
}

/** The other keys only say how the socket serves: alone they would be silently ignored. */
function needsSocket(config: JailConfig): ConfigIssue[] {
  const s = config.setns;
  if (s.path !== null) return [];
  const given: [string, boolean][] = [
    ["setns_preopen", s.preopen],
    ["setns_skip", s.skip.size > 0],
    ["setns_allow", s.allowUids.length + s.allowGids.length > 0],
  ];
  return given.filter(([, set]) => set).map(([path]) => ({ path, message: "needs setns_socket" }));
}

function socketServes(config: JailConfig): ConfigIssue[] {
  if (config.setns.path === null) return [];
  if (config.exec) return [{ path: "setns_socket", message: "needs nsjail to stay as supervisor: not with exec" }];
  if (config.setns.kinds.length === 0) return [{ path: "setns_skip", message: "leaves none of the jail's namespaces to send" }];
  return [];
}

export const SETNS_RULES: readonly Rule[] = [
  { name: "setnsNeedsSocket", uses: ["setns_socket", "setns_preopen", "setns_skip", "setns_allow"], check: needsSocket },
  { name: "setnsSocketServes", uses: ["setns_socket", "setns_skip", "unshare", "exec"], check: socketServes },
];
