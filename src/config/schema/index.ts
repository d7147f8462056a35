// Stage 1 (config): the one table of config keys, put together from one file per concern.
// The CLI flags (cli/flag-table.ts), the validator (config/validate.ts) and docs/config.md
// (scripts/gen-config-doc.ts) all read it from here.
import type { Report } from "../expect.ts";
import type { HostFacts } from "../host.ts";
import type { JailConfig } from "../model.ts";
import { COMMAND_KEYS, COMMAND_RULES, commandDefaults } from "./command.ts";
import { EXIT_RECORD_KEYS, EXIT_RECORD_RULES, exitRecordDefaults } from "./exit-record.ts";
import { FS_KEYS, FS_RULES, fsDefaults, idRoot, namespaceHostname } from "./fs.ts";
import { ID_KEYS, ID_RULES, idDefaults } from "./ids.ts";
import type { Key, KeySpec, Rule, ValuesOf } from "./key.ts";
import { LIMIT_KEYS, limitsDefaults } from "./limits.ts";
import { NS_KEYS, NS_RULES, nsDefaults } from "./ns.ts";
import { PROFILE_KEYS, profileDefaults } from "./profile.ts";
import { RESTART_KEYS, RESTART_RULES, restartDefaults } from "./restart.ts";
import { RUN_KEYS, RUN_RULES, runDefaults } from "./run.ts";
import { SECCOMP_KEYS, SECCOMP_RULES, seccompDefaults } from "./seccomp.ts";
import { SECURITY_KEYS, securityDefaults } from "./security.ts";
import { SETNS_KEYS, SETNS_RULES, setnsDefaults } from "./setns.ts";
import { SYSTEMD_KEYS, SYSTEMD_RULES, systemdDefaults } from "./systemd.ts";
import { TERMINAL_KEYS, TERMINAL_RULES, terminalDefaults } from "./terminal.ts";

export { KIND_DOC, type KeySpec, type Shorthand, type ValueKind } from "./key.ts";

/** Every key, in the order of the docs and of reported issues. */
export const SCHEMA = [
  ...PROFILE_KEYS, ...COMMAND_KEYS, ...NS_KEYS, ...ID_KEYS, ...RUN_KEYS, ...RESTART_KEYS, ...SECURITY_KEYS, ...SETNS_KEYS,
  ...LIMIT_KEYS, ...SECCOMP_KEYS, ...EXIT_RECORD_KEYS, ...TERMINAL_KEYS, ...SYSTEMD_KEYS, ...FS_KEYS,
] as const;

/** Cross-field rules, run in this order on the defaulted draft. */
export const RULES: readonly Rule[] = [
  ...COMMAND_RULES, ...NS_RULES, ...ID_RULES, ...RUN_RULES, ...RESTART_RULES, ...SETNS_RULES, ...SECCOMP_RULES, ...EXIT_RECORD_RULES,
  ...TERMINAL_RULES, ...SYSTEMD_RULES, ...FS_RULES,
];

export type ConfigKey = (typeof SCHEMA)[number]["key"];

/** The typed value of every key, before defaults. */
export type Fields = ValuesOf<typeof SCHEMA>;

export const CONFIG_KEYS: readonly ConfigKey[] = SCHEMA.map((s) => s.key);

const BY_KEY: ReadonlyMap<string, Key<ConfigKey, unknown>> = new Map(SCHEMA.map((s) => [s.key, s as Key<ConfigKey, unknown>]));

/** The spec of a key, or of a table's key: `uid`, `limits.memory`. */
export function specFor(path: string): KeySpec | undefined {
  const dot = path.indexOf(".");
  if (dot < 0) return BY_KEY.get(path);
  return BY_KEY.get(path.slice(0, dot))?.fields?.find((f) => f.key === path.slice(dot + 1));
}

/** The flag behind a key path: `uid` → `--uid`, `limits.memory` → `--memory`; null if none. */
export function flagOf(path: string): string | null {
  return specFor(path)?.flag ?? null;
}

/** The reader of a key: raw TOML/CLI value → typed value, or undefined after reporting. */
export function readerFor<K extends ConfigKey>(key: K): Key<K, Fields[K]>["read"] {
  return (BY_KEY.get(key) as Key<K, Fields[K]>).read;
}

/** Every default in one place: each concern fills its own fields. `report` takes what only
 * shows with several keys together (a uid name looked up in the rootfs). */
export function applyDefaults(f: Partial<Fields>, host: HostFacts, source: string | null, report: Report): JailConfig {
  const ns = nsDefaults(f, host);
  const command = commandDefaults(f, host);
  return {
    source,
    ...command,
    ...ns,
    hostname: ns.hostname ?? namespaceHostname(f.namespace),
    ...idDefaults(f, host, ns.unshare, idRoot(f, host), report),
    ...profileDefaults(f),
    ...runDefaults(f),
    ...restartDefaults(f),
    ...securityDefaults(f),
    ...setnsDefaults(f, ns.unshare),
    ...limitsDefaults(f),
    ...seccompDefaults(f),
    ...exitRecordDefaults(f),
    ...terminalDefaults(f),
    ...systemdDefaults(f, host, command),
    ...fsDefaults(f),
  };
}
