// Stage 1 (config): who the command is — uid and gid inside the jail, and the user namespace's
// maps to host ids: their keys, readers, defaults and rules.
import type { ConfigIssue } from "../../errors.ts";
import { describe, expectArray, expectInt, type Report } from "../expect.ts";
import { MAX_ID, readId, resolveId } from "./id-names.ts";
import type { HostFacts } from "../host.ts";
import { MAX_GROUPS, type IdMap, type JailConfig } from "../model.ts";
import { didYouMean } from "../suggest.ts";
import { defineKey, needsNamespace, type Reader, type Rule, type ValuesOf } from "./key.ts";

/** Linux ≥ 4.15 accepts this many lines in uid_map/gid_map. */
const MAX_MAP_LINES = 340;
const MAP_FIELDS = ["inside", "outside", "count"] as const;
const SIDES = ["inside", "outside"] as const;
/** The overflow id ("nobody"/"nogroup"): root's jail runs as it on the host unless asked otherwise. */
const UNPRIVILEGED_ID = 65534;

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** The three fields of a map entry, still unchecked, or undefined after reporting. */
function mapParts(v: unknown, path: string, report: Report): Record<(typeof MAP_FIELDS)[number], unknown> | undefined {
  if (typeof v === "string") {
    const m = /^\s*(\d+)\s*:\s*(\d+)\s*:\s*(\d+)\s*$/.exec(v);
    if (m) return { inside: Number(m[1]), outside: Number(m[2]), count: Number(m[3]) };
    report(path, `expected "IN:OUT:COUNT" (three non-negative integers), got ${describe(v)}`);
    return undefined;
  }
  if (!isTable(v)) {
    report(path, `expected "IN:OUT:COUNT" or a table {inside, outside, count}, got ${describe(v)}`);
    return undefined;
  }
  let ok = true;
  for (const k of Object.keys(v)) {
    if ((MAP_FIELDS as readonly string[]).includes(k)) continue;
    report(`${path}.${k}`, `unknown key${didYouMean(k, MAP_FIELDS)}`);
    ok = false;
  }
  for (const k of MAP_FIELDS) {
    if (v[k] !== undefined) continue;
    report(`${path}.${k}`, "missing");
    ok = false;
  }
  return ok ? { inside: v.inside, outside: v.outside, count: v.count } : undefined;
}

/** One uid_map/gid_map entry, "IN:OUT:COUNT" or {inside, outside, count} → IdMap. */
function readIdMap(v: unknown, path: string, report: Report): IdMap | undefined {
  const parts = mapParts(v, path, report);
  if (parts === undefined) return undefined;
  // Table fields get their own paths; string fields are reported on the whole entry.
  const at = (k: string) => (typeof v === "string" ? path : `${path}.${k}`);
  const inside = expectInt(parts.inside, at("inside"), report, 0, MAX_ID);
  const outside = expectInt(parts.outside, at("outside"), report, 0, MAX_ID);
  const count = expectInt(parts.count, at("count"), report, 1, MAX_ID + 1);
  if (inside === undefined || outside === undefined || count === undefined) return undefined;
  // The kernel rejects ranges that wrap past (u32)-1.
  if (inside + count - 1 > MAX_ID || outside + count - 1 > MAX_ID) {
    report(path, `range ${inside}:${outside}:${count} runs past the largest id ${MAX_ID}`);
    return undefined;
  }
  return { inside, outside, count };
}

const readIdMaps: Reader<IdMap[]> = (v, path, { report }) => expectArray(v, path, report, (item, p) => readIdMap(item, p, report));

export const ID_KEYS = [
  defineKey(
    {
      key: "uid",
      flag: "--uid",
      kind: "id",
      repeatable: false,
      placeholder: "USER",
      defaultDoc: "the caller's uid",
      doc: "User the command runs as inside the jail: a number, or a name from the rootfs's /etc/passwd (with a rootfs) or the host's name service (/etc/passwd, LDAP, sssd, …).",
    },
    readId,
  ),
  defineKey(
    {
      key: "gid",
      flag: "--gid",
      kind: "id",
      repeatable: false,
      placeholder: "GROUP",
      defaultDoc: "the caller's gid",
      doc: "Group the command runs as inside the jail: a number, or a name from the rootfs's /etc/group (with a rootfs) or the host's name service (/etc/group, LDAP, sssd, …).",
    },
    readId,
  ),
  defineKey(
    {
      key: "uid_map",
      flag: "--uid-map",
      kind: "idmap[]",
      repeatable: true,
      placeholder: "IN:OUT:COUNT",
      defaultDoc: `\`<uid>:<caller's uid>:1\` when \`user\` is unshared; as root \`<uid>:<uid>:1\`, and \`0:${UNPRIVILEGED_ID}:1\` for uid 0`,
      doc: "Lines of /proc/PID/uid_map (inside id, outside id, count); only with the user namespace. As root the jail is never host uid 0 unless a line maps to 0 (e.g. `0:0:1`), and then nsjail warns.",
    },
    readIdMaps,
  ),
  defineKey(
    {
      key: "gid_map",
      flag: "--gid-map",
      kind: "idmap[]",
      repeatable: true,
      placeholder: "IN:OUT:COUNT",
      defaultDoc: `\`<gid>:<caller's gid>:1\` when \`user\` is unshared; as root \`<gid>:<gid>:1\`, and \`0:${UNPRIVILEGED_ID}:1\` for gid 0`,
      doc: "Lines of /proc/PID/gid_map (inside id, outside id, count); only with the user namespace.",
    },
    readIdMaps,
  ),
  defineKey(
    {
      key: "groups",
      flag: "--groups",
      kind: "id[]",
      repeatable: true,
      placeholder: "GROUP",
      defaultDoc: "none: only `gid`",
      doc: `Supplementary groups of the command inside the jail (at most ${MAX_GROUPS - 1}), numbers or names looked up as \`gid\`'s are; each must be mapped by gid_map. setgroups needs root, or a gid_map that newgidmap writes (a range from /etc/subgid).`,
    },
    (v, path, ctx) => expectArray(v, path, ctx.report, (item, p) => readId(item, p, ctx)),
  ),
] as const;

type IdFields = Partial<ValuesOf<typeof ID_KEYS>>;

/**
 * Where an inside id goes on the host when no map is given. Unprivileged, a process may map
 * only its own id, so every inside id goes there. As root the jail must not be host root on
 * files by surprise: id X goes to host X, a real drop, and 0 goes to the overflow id. Root's
 * subordinate range (/etc/subuid) is not used by default, so one id is mapped either way and
 * exec mode can write the map itself; ask for a range with uid_map.
 */
function defaultOutside(inside: number, own: number, host: HostFacts): number {
  if (host.uid !== 0) return own;
  return inside === 0 ? UNPRIVILEGED_ID : inside;
}

/** `root`: the rootfs whose users and groups name the ids, or null for the host's. */
export function idDefaults(
  f: IdFields,
  host: HostFacts,
  unshare: ReadonlySet<string>,
  root: string | null,
  report: Report,
): Pick<JailConfig, "uid" | "gid" | "uidMap" | "gidMap" | "groups"> {
  const uid = resolveId("user", f.uid, host.uid, root, host, (m) => report("uid", m));
  const gid = resolveId("group", f.gid, host.gid, root, host, (m) => report("gid", m));
  const userNs = unshare.has("user");
  const one = (inside: number, own: number): IdMap[] => (userNs ? [{ inside, outside: defaultOutside(inside, own, host), count: 1 }] : []);
  const named = (f.groups ?? []).map((g, i) => resolveId("group", g, gid, root, host, (m) => report(`groups[${i}]`, m)));
  const groups = [...new Set(named)].filter((g) => g !== gid);
  return { uid, gid, uidMap: f.uid_map ?? one(uid, host.uid), gidMap: f.gid_map ?? one(gid, host.gid), groups };
}

/** Unprivileged, nsjail may write only a single line mapping the caller's own id; anything
 * else goes through the setuid newuidmap/newgidmap, which check /etc/subuid and /etc/subgid. */
export function mapNeedsHelper(map: readonly IdMap[], hostUid: number, ownId: number): boolean {
  return hostUid !== 0 && !(map.length === 1 && map[0]!.count === 1 && map[0]!.outside === ownId);
}

/**
 * Whether the jail's first process may call setgroups. In a user namespace the kernel denies
 * it once /proc/PID/setgroups says "deny", which whoever writes its own gid_map without
 * CAP_SETGID must write first (nsjail rootless, or the jail itself in exec mode). Root has the
 * capability, and newgidmap keeps setgroups allowed when it maps a range from /etc/subgid,
 * which every map it is needed for holds.
 */
export function canSetGroups(config: JailConfig, host: HostFacts): boolean {
  if (!config.unshare.has("user")) return true;
  if (config.exec) return false;
  return host.uid === 0 || mapNeedsHelper(config.gidMap, host.uid, host.gid);
}

/**
 * The one warning line for a jail that holds host root on files: root without a user namespace
 * running as uid 0, or a uid_map that sends an inside id to host uid 0. Null when it does not.
 */
export function hostRootWarning(config: JailConfig, host: HostFacts): string | null {
  if (host.uid !== 0) return null;
  if (!config.unshare.has("user")) {
    return config.uid === 0 ? "the jail runs as real root of the host (no user namespace, uid 0)" : null;
  }
  const root = config.uidMap.find((m) => m.outside === 0);
  return root === undefined ? null : `the jail holds host root on files (uid_map sends uid ${root.inside} to host uid 0)`;
}

const MAPS = (config: JailConfig) =>
  [
    ["uid_map", config.uidMap],
    ["gid_map", config.gidMap],
  ] as const;

function idMapsNeedUser(config: JailConfig): ConfigIssue[] {
  if (config.unshare.has("user")) return [];
  return MAPS(config).flatMap(([key, map]) => (map.length > 0 ? [needsNamespace(key, "user")] : []));
}

/** setresuid() inside the jail fails with EINVAL for an id the map does not cover. */
function mapsCoverIds(config: JailConfig): ConfigIssue[] {
  if (!config.unshare.has("user")) return [];
  const issues: ConfigIssue[] = [];
  const covers = (map: readonly IdMap[], id: number) => map.some((m) => id >= m.inside && id < m.inside + m.count);
  if (!covers(config.uidMap, config.uid)) {
    issues.push({ path: "uid_map", message: `does not map uid ${config.uid}, the uid the command runs as` });
  }
  if (!covers(config.gidMap, config.gid)) {
    issues.push({ path: "gid_map", message: `does not map gid ${config.gid}, the gid the command runs as` });
  }
  return issues;
}

/** The kernel refuses maps whose inside or outside ranges overlap (EINVAL on write). */
function noOverlap(config: JailConfig): ConfigIssue[] {
  return MAPS(config).flatMap(([key, map]) => overlaps(key, map));
}

/**
 * One sweep per side over the ranges sorted by start: a range that starts before the furthest
 * end seen so far overlaps the range that reaches there. O(n log n), and at most one issue per
 * entry and side, reported on the later entry of the pair as the kernel reads them.
 */
function overlaps(key: string, map: readonly IdMap[]): ConfigIssue[] {
  const found: { at: number; side: number; issue: ConfigIssue }[] = [];
  SIDES.forEach((side, sideOrder) => {
    const order = map.map((_, i) => i).sort((a, b) => map[a]![side] - map[b]![side] || a - b);
    let reach: number | undefined;
    for (const i of order) {
      const m = map[i]!;
      const r = reach === undefined ? undefined : map[reach]!;
      if (r !== undefined && m[side] < r[side] + r.count) {
        const [later, earlier] = i > reach! ? [i, reach!] : [reach!, i];
        const range = (x: IdMap) => `${x[side]}-${x[side] + x.count - 1}`;
        const message = `${side} range ${range(map[later]!)} overlaps ${key}[${earlier}] (${range(map[earlier]!)})`;
        found.push({ at: later, side: sideOrder, issue: { path: `${key}[${later}]`, message } });
      }
      if (r === undefined || m[side] + m.count > r[side] + r.count) reach = i;
    }
  });
  return found.sort((a, b) => a.at - b.at || a.side - b.side).map((f) => f.issue);
}

function mapLineLimit(config: JailConfig): ConfigIssue[] {
  return MAPS(config).flatMap(([key, map]) =>
    map.length > MAX_MAP_LINES ? [{ path: key, message: `at most ${MAX_MAP_LINES} lines (the kernel's limit), got ${map.length}` }] : [],
  );
}

/**
 * With exec no parent stays behind to run newuidmap: the process writes its own map, one id of
 * count 1, and unprivileged only its own id (root first becomes the id it maps to).
 */
function execMapsOneId(config: JailConfig, host: HostFacts): ConfigIssue[] {
  if (!config.exec) return [];
  const own = { uid_map: host.uid, gid_map: host.gid };
  return MAPS(config).flatMap(([key, map]) =>
    map.length > 1 || map.some((m) => m.count !== 1 || (host.uid !== 0 && m.outside !== own[key]))
      ? [{ path: key, message: "with exec only one id of count 1 (your own) can be mapped: newuidmap needs nsjail to stay" }]
      : [],
  );
}

/** Supplementary groups need setgroups, an id the map covers, and room in the trampoline. */
function groupsFit(config: JailConfig, host: HostFacts): ConfigIssue[] {
  if (config.groups.length === 0) return [];
  if (config.groups.length > MAX_GROUPS - 1) return [{ path: "groups", message: `at most ${MAX_GROUPS - 1} groups besides gid, got ${config.groups.length}` }];
  if (!canSetGroups(config, host)) {
    const why = config.exec
      ? "exec mode writes its own gid_map, which needs setgroups denied"
      : "a gid_map nsjail writes itself needs setgroups denied; map a range from /etc/subgid with gid_map (newgidmap allows setgroups)";
    return [{ path: "groups", message: `needs setgroups, which this jail cannot call: ${why}` }];
  }
  if (!config.unshare.has("user")) return [];
  const covers = (id: number) => config.gidMap.some((m) => id >= m.inside && id < m.inside + m.count);
  const unmapped = config.groups.filter((g) => !covers(g));
  return unmapped.length === 0 ? [] : [{ path: "groups", message: `gid ${unmapped.join(", ")} not mapped by gid_map` }];
}

export const ID_RULES: readonly Rule[] = [
  { name: "idMapsNeedUser", uses: ["uid_map", "gid_map", "unshare"], check: idMapsNeedUser },
  { name: "noOverlap", uses: ["uid_map", "gid_map"], check: noOverlap },
  { name: "mapLineLimit", uses: ["uid_map", "gid_map"], check: mapLineLimit },
  { name: "mapsCoverIds", uses: ["uid", "gid", "uid_map", "gid_map", "unshare"], check: mapsCoverIds },
  { name: "execMapsOneId", uses: ["exec", "uid_map", "gid_map"], check: execMapsOneId },
  { name: "groupsFit", uses: ["groups", "gid", "gid_map", "unshare", "exec"], check: groupsFit },
];
