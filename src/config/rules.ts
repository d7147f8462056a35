// Stage 1 (config): cross-field rules, one named function each (changesets' rules.ts). They
// run on the defaulted draft and only when every key they read was itself valid, so one typo
// does not cascade into a second, misleading issue.
import type { ConfigIssue } from "../errors.ts";
import type { IdMap, JailConfig } from "./model.ts";
import type { ConfigKey } from "./schema.ts";

export interface Draft {
  /** Defaulted values; user is already added to unshare for non-root callers. */
  readonly config: JailConfig;
  /** Keys present in the raw config (file or CLI), valid or not. */
  readonly given: ReadonlySet<ConfigKey>;
}

export interface Rule {
  readonly name: string;
  /** Keys the rule reads: it is skipped when any of them failed its own check. */
  readonly uses: readonly ConfigKey[];
  readonly check: (d: Draft) => ConfigIssue[];
}

/** Linux ≥ 4.15 accepts this many lines in uid_map/gid_map. */
export const MAX_MAP_LINES = 340;

export function commandGiven({ config }: Draft): ConfigIssue[] {
  if (config.command.length === 0) return [{ path: "command", message: "no command: give one in the config or after --" }];
  if (config.command[0] === "") return [{ path: "command[0]", message: "the program name is empty" }];
  return [];
}

export function hostnameNeedsUts({ config }: Draft): ConfigIssue[] {
  if (config.unshare.has("uts")) return [];
  const issues: ConfigIssue[] = [];
  if (config.hostname !== null) issues.push(needs("hostname", "uts"));
  if (config.domainname !== null) issues.push(needs("domainname", "uts"));
  return issues;
}

export function idMapsNeedUser({ config }: Draft): ConfigIssue[] {
  if (config.unshare.has("user")) return [];
  const issues: ConfigIssue[] = [];
  if (config.uidMap.length > 0) issues.push(needs("uid_map", "user"));
  if (config.gidMap.length > 0) issues.push(needs("gid_map", "user"));
  return issues;
}

/** setresuid() inside the jail fails with EINVAL for an id the map does not cover. */
export function mapsCoverIds({ config }: Draft): ConfigIssue[] {
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
export function noOverlap({ config }: Draft): ConfigIssue[] {
  return [...overlaps("uid_map", config.uidMap), ...overlaps("gid_map", config.gidMap)];
}

export function mapLineLimit({ config }: Draft): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [key, map] of [["uid_map", config.uidMap], ["gid_map", config.gidMap]] as const) {
    if (map.length > MAX_MAP_LINES) {
      issues.push({ path: key, message: `at most ${MAX_MAP_LINES} lines (the kernel's limit), got ${map.length}` });
    }
  }
  return issues;
}

/** With exec no parent stays behind: nobody can run newuidmap or watch a clock. */
export function execStandsAlone({ config }: Draft): ConfigIssue[] {
  if (!config.exec) return [];
  const issues: ConfigIssue[] = [];
  for (const [key, map] of [["uid_map", config.uidMap], ["gid_map", config.gidMap]] as const) {
    if (map.length > 1 || map.some((m) => m.count !== 1)) {
      issues.push({ path: key, message: "with exec only one id of count 1 (your own) can be mapped: newuidmap needs nsjail to stay" });
    }
  }
  if (config.timeLimit > 0) issues.push({ path: "time_limit", message: "needs nsjail to stay as supervisor: not with exec" });
  return issues;
}

export const RULES: readonly Rule[] = [
  { name: "commandGiven", uses: ["command"], check: commandGiven },
  { name: "hostnameNeedsUts", uses: ["hostname", "domainname", "unshare"], check: hostnameNeedsUts },
  { name: "idMapsNeedUser", uses: ["uid_map", "gid_map", "unshare"], check: idMapsNeedUser },
  { name: "noOverlap", uses: ["uid_map", "gid_map"], check: noOverlap },
  { name: "mapLineLimit", uses: ["uid_map", "gid_map"], check: mapLineLimit },
  { name: "mapsCoverIds", uses: ["uid", "gid", "uid_map", "gid_map", "unshare"], check: mapsCoverIds },
  { name: "execStandsAlone", uses: ["exec", "uid_map", "gid_map", "time_limit"], check: execStandsAlone },
];

/** Every issue of every rule whose inputs are valid. */
export function runRules(draft: Draft, invalid: ReadonlySet<ConfigKey>): ConfigIssue[] {
  return RULES.filter((r) => !r.uses.some((k) => invalid.has(k))).flatMap((r) => r.check(draft));
}

function needs(key: string, ns: string): ConfigIssue {
  return { path: key, message: `needs the ${ns} namespace (add "${ns}" to unshare)` };
}

function overlaps(key: string, map: readonly IdMap[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  map.forEach((m, j) => {
    for (let i = 0; i < j; i++) {
      const o = map[i];
      if (o === undefined) continue;
      for (const side of ["inside", "outside"] as const) {
        if (m[side] < o[side] + o.count && o[side] < m[side] + m.count) {
          const range = (x: IdMap) => `${x[side]}-${x[side] + x.count - 1}`;
          issues.push({ path: `${key}[${j}]`, message: `${side} range ${range(m)} overlaps ${key}[${i}] (${range(o)})` });
        }
      }
    }
  });
  return issues;
}
