// Stage 1 (config): which namespaces the jail gets, and the names inside its uts namespace:
// their keys, readers, defaults and rules.
import type { ConfigIssue } from "../../errors.ts";
import { byteLength } from "../../sys/bytes.ts";
import { describe, expectArray, expectCString, type Report } from "../expect.ts";
import type { HostFacts } from "../host.ts";
import { NAMESPACES, type JailConfig, type Namespace } from "../model.ts";
import { didYouMean } from "../suggest.ts";
import { defineKey, needsNamespace, type Reader, type Rule, type ValuesOf } from "./key.ts";

/** sethostname(2)/setdomainname(2) reject more than __NEW_UTS_LEN bytes. */
const UTS_MAX = 64;
/** clone(2) and util-linux call the mount namespace "mnt" and "mount"; this config calls it "fs". */
const ALIASES: Readonly<Record<string, Namespace>> = { mnt: "fs", mount: "fs" };
/** Every namespace but time: a time namespace only matters to programs that read clocks. */
const DEFAULT_UNSHARE = NAMESPACES.filter((n) => n !== "time");
/** Marks an `unshare` item that takes a namespace away: `-net`. */
const MINUS = "-";

/** `unshare` as read: the namespaces it names (null when it names only `-` items, which start
 * from the default set) and those its `-` items take away. */
export interface UnshareList {
  readonly set: readonly Namespace[] | null;
  readonly minus: readonly Namespace[];
}

function readNamespaceItem(v: unknown, path: string, report: Report, minusOk: boolean): { ns: Namespace; minus: boolean } | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const minus = minusOk && s.startsWith(MINUS);
  const word = minus ? s.slice(MINUS.length) : s;
  const name = ALIASES[word] ?? word;
  if ((NAMESPACES as readonly string[]).includes(name)) return { ns: name as Namespace, minus };
  const hint = didYouMean(word, NAMESPACES) || ` (expected one of ${NAMESPACES.join(", ")}${minusOk ? `, each may start with '${MINUS}'` : ""})`;
  report(path, `unknown namespace ${describe(s)}${hint}`);
  return undefined;
}

/** One namespace name (aliases allowed, no `-`), as `setns_skip` and `join --ns` take them. */
export function readNamespace(v: unknown, path: string, report: Report): Namespace | undefined {
  return readNamespaceItem(v, path, report, false)?.ns;
}

const readUnshare: Reader<UnshareList> = (v, path, { report }) => {
  const items = expectArray(v, path, report, (item, p) => readNamespaceItem(item, p, report, true));
  if (items === undefined) return undefined;
  const set = items.filter((i) => !i.minus).map((i) => i.ns);
  const minus = items.filter((i) => i.minus).map((i) => i.ns);
  return { set: set.length === 0 && minus.length > 0 ? null : set, minus };
};

/** Rootless, the other namespaces need a user namespace to own them, so user is never shared. */
const readShare: Reader<Namespace[]> = (v, path, { report, host }) =>
  expectArray(v, path, report, (item, p) => {
    const ns = readNamespaceItem(item, p, report, false)?.ns;
    if (ns !== "user" || host.uid === 0) return ns;
    report(p, "a jail started without root always gets a user namespace: user cannot be shared");
    return undefined;
  });

/** RFC 1123 host names: dot-separated labels of letters, digits and '-'. */
const HOST_CHARS = /^[A-Za-z0-9.-]*$/;
const LABEL_MAX = 63;

/** Why `s` is not an RFC 1123 name, or null when it is one. */
function rfc1123Problem(s: string): string | null {
  if (!HOST_CHARS.test(s)) return `may hold only letters, digits, '-' and '.' (RFC 1123), got ${describe(s)}`;
  const bad = s.split(".").find((l) => l.length === 0 || l.length > LABEL_MAX || l.startsWith("-") || l.endsWith("-"));
  if (bad === undefined) return null;
  return `each dot-separated label must be 1 to ${LABEL_MAX} characters, not starting or ending with '-', got ${describe(s)}`;
}

const readUtsName: Reader<string> = (v, path, { report }) => {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const bytes = byteLength(s);
  if (bytes < 1 || bytes > UTS_MAX) {
    report(path, `must be 1 to ${UTS_MAX} bytes long, got ${bytes}`);
    return undefined;
  }
  const problem = rfc1123Problem(s);
  if (problem !== null) report(path, problem);
  return problem === null ? s : undefined;
};

export const NS_KEYS = [
  defineKey(
    {
      key: "unshare",
      flag: "--unshare",
      kind: "namespace[]",
      repeatable: true,
      placeholder: "NS,NS,...",
      defaultDoc: "all but `time`",
      replaces: true,
      doc: `Namespaces to create: ${NAMESPACES.map((n) => (n === "fs" ? "fs (aliases mnt, mount)" : n)).join(", ")}. An item \`-NAME\` takes NAME away; a list of only such items starts from the default (\`["-net"]\`: all but time and net). \`user\` is always added when not run as root.`,
    },
    readUnshare,
  ),
  defineKey(
    {
      key: "share",
      flag: "--share",
      kind: "namespace[]",
      repeatable: true,
      placeholder: "NS,NS,...",
      defaultDoc: "none",
      doc: "Namespaces the jail shares with nsjail: taken away from `unshare`, whether it comes from the file, the flags or the default (`--share net` keeps the host's network).",
    },
    readShare,
  ),
  defineKey(
    {
      key: "hostname",
      flag: "--hostname",
      kind: "string",
      repeatable: false,
      placeholder: "NAME",
      defaultDoc: "none (the namespace keeps the host's name)",
      doc: `Hostname inside the jail: 1-${UTS_MAX} bytes of letters, digits, '-' and '.' (RFC 1123); needs the uts namespace.`,
    },
    readUtsName,
  ),
  defineKey(
    {
      key: "domainname",
      flag: "--domainname",
      kind: "string",
      repeatable: false,
      placeholder: "NAME",
      defaultDoc: "none (the namespace keeps the host's name)",
      doc: `NIS domain name inside the jail, written like a hostname (RFC 1123, 1-${UTS_MAX} bytes); needs the uts namespace.`,
    },
    readUtsName,
  ),
] as const;

type NsFields = Partial<ValuesOf<typeof NS_KEYS>>;

export function nsDefaults(f: NsFields, host: HostFacts): Pick<JailConfig, "unshare" | "hostname" | "domainname"> {
  const wanted = new Set<Namespace>(f.unshare?.set ?? DEFAULT_UNSHARE);
  for (const ns of [...(f.unshare?.minus ?? []), ...(f.share ?? [])]) wanted.delete(ns);
  // Without CAP_SYS_ADMIN every other namespace needs a user namespace to own it.
  if (host.uid !== 0) wanted.add("user");
  return {
    unshare: new Set(NAMESPACES.filter((n) => wanted.has(n))),
    hostname: f.hostname ?? null,
    domainname: f.domainname ?? null,
  };
}

function hostnameNeedsUts(config: JailConfig): ConfigIssue[] {
  if (config.unshare.has("uts")) return [];
  const issues: ConfigIssue[] = [];
  if (config.hostname !== null) issues.push(needsNamespace("hostname", "uts"));
  if (config.domainname !== null) issues.push(needsNamespace("domainname", "uts"));
  return issues;
}

export const NS_RULES: readonly Rule[] = [
  { name: "hostnameNeedsUts", uses: ["hostname", "domainname", "unshare", "share"], check: hostnameNeedsUts },
];
