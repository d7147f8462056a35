// Stage 1 (config): the one table of config keys (nsjail's config.proto role). The CLI flags
// (cli/flags.ts), the validator's key list (config/validate.ts) and docs/config.md come from here.

/**
 * How a value is written. TOML and CLI share the kind; the CLI spelling is always a string that
 * cli/flag-table.ts turns into the TOML shape (see flagsToRaw).
 */
export type ValueKind =
  | "argv" // array of strings; CLI: the words after `--`
  | "string"
  | "bool"
  | "uint" // non-negative integer
  | "id" // user/group name or number
  | "string[]"
  | "uint[]"
  | "namespace[]" // CLI: comma list
  | "idmap[]" // "IN:OUT:COUNT" strings or {inside, outside, count} tables
  | "log_level";

export interface KeySpec {
  /** snake_case TOML key. */
  readonly key: string;
  /** `--kebab-case` flag, or null when the key has no flag of its own. */
  readonly flag: string | null;
  readonly kind: ValueKind;
  /** Flag may be given several times; the values together REPLACE the file's array. */
  readonly repeatable: boolean;
  /** Value placeholder for --help, e.g. `IN:OUT:COUNT`; empty for booleans. */
  readonly placeholder: string;
  /** The default, as documentation text. */
  readonly defaultDoc: string;
  readonly doc: string;
}

export const SCHEMA = [
  {
    key: "command",
    flag: null,
    kind: "argv",
    repeatable: false,
    placeholder: "",
    defaultDoc: "none: required",
    doc: "argv of the jailed command; a command given after `--` on the CLI replaces it.",
  },
  {
    key: "unshare",
    flag: "--unshare",
    kind: "namespace[]",
    repeatable: true,
    placeholder: "NS,NS,...",
    defaultDoc: "all but `time`",
    doc: "Namespaces to create: fs (alias mnt), ipc, pid, uts, net, user, cgroup, time. `user` is always added when not run as root.",
  },
  {
    key: "uid",
    flag: "--uid",
    kind: "id",
    repeatable: false,
    placeholder: "USER",
    defaultDoc: "the caller's uid",
    doc: "User the command runs as inside the jail: a name (looked up in the host's /etc/passwd) or a number.",
  },
  {
    key: "gid",
    flag: "--gid",
    kind: "id",
    repeatable: false,
    placeholder: "GROUP",
    defaultDoc: "the caller's gid",
    doc: "Group the command runs as inside the jail: a name (looked up in the host's /etc/group) or a number.",
  },
  {
    key: "uid_map",
    flag: "--uid-map",
    kind: "idmap[]",
    repeatable: true,
    placeholder: "IN:OUT:COUNT",
    defaultDoc: "`<uid>:<caller's uid>:1` when `user` is unshared",
    doc: "Lines of /proc/PID/uid_map (inside id, outside id, count); only with the user namespace.",
  },
  {
    key: "gid_map",
    flag: "--gid-map",
    kind: "idmap[]",
    repeatable: true,
    placeholder: "IN:OUT:COUNT",
    defaultDoc: "`<gid>:<caller's gid>:1` when `user` is unshared",
    doc: "Lines of /proc/PID/gid_map (inside id, outside id, count); only with the user namespace.",
  },
  {
    key: "hostname",
    flag: "--hostname",
    kind: "string",
    repeatable: false,
    placeholder: "NAME",
    defaultDoc: "none (the namespace keeps the host's name)",
    doc: "Hostname inside the jail (1-64 bytes); needs the uts namespace.",
  },
  {
    key: "domainname",
    flag: "--domainname",
    kind: "string",
    repeatable: false,
    placeholder: "NAME",
    defaultDoc: "none (the namespace keeps the host's name)",
    doc: "NIS domain name inside the jail (1-64 bytes); needs the uts namespace.",
  },
  {
    key: "chdir",
    flag: "--chdir",
    kind: "string",
    repeatable: false,
    placeholder: "DIR",
    defaultDoc: "`/`",
    doc: "Absolute working directory of the command inside the jail.",
  },
  {
    key: "env",
    flag: "--env",
    kind: "string[]",
    repeatable: true,
    placeholder: "KEY=VALUE",
    defaultDoc: "none",
    doc: "Environment variables; they override the defaults (PATH, HOME, TERM, LANG) and kept ones.",
  },
  {
    key: "keep_env",
    flag: "--keep-env",
    kind: "string[]",
    repeatable: true,
    placeholder: "NAME",
    defaultDoc: "none",
    doc: "Names of host environment variables copied into the jail when set on the host.",
  },
  {
    key: "time_limit",
    flag: "--time-limit",
    kind: "uint",
    repeatable: false,
    placeholder: "SECONDS",
    defaultDoc: "`0` (no limit)",
    doc: "Wall-clock seconds before the jail is killed with SIGKILL; 0 means no limit.",
  },
  {
    key: "as_pid_1",
    flag: "--as-pid-1",
    kind: "bool",
    repeatable: false,
    placeholder: "",
    defaultDoc: "`false`",
    doc: "Run the command itself as PID 1 of the pid namespace instead of under a small init.",
  },
  {
    key: "exec",
    flag: "--exec",
    kind: "bool",
    repeatable: false,
    placeholder: "",
    defaultDoc: "`false`",
    doc: "Replace nsjail with the jail: no supervising parent stays behind.",
  },
  {
    key: "pass_fd",
    flag: "--pass-fd",
    kind: "uint[]",
    repeatable: true,
    placeholder: "FD",
    defaultDoc: "none",
    doc: "File descriptors (3 and up) that stay open in the jail; 0, 1 and 2 always do.",
  },
  {
    key: "cap",
    flag: "--cap",
    kind: "string[]",
    repeatable: true,
    placeholder: "NAME",
    defaultDoc: "none",
    doc: "Capabilities kept inside the jail, e.g. `net_bind_service` or `CAP_NET_BIND_SERVICE`.",
  },
  {
    key: "log_level",
    flag: "--log-level",
    kind: "log_level",
    repeatable: false,
    placeholder: "LEVEL",
    defaultDoc: "`info`",
    doc: "Least severe message nsjail prints: debug, info, warn or error.",
  },
] as const satisfies readonly KeySpec[];

export type ConfigKey = (typeof SCHEMA)[number]["key"];

export const CONFIG_KEYS: readonly ConfigKey[] = SCHEMA.map((s) => s.key);

export function specFor(key: string): KeySpec | undefined {
  return (SCHEMA as readonly KeySpec[]).find((s) => s.key === key);
}

/** How each kind reads in docs and type errors. */
export const KIND_DOC: Readonly<Record<ValueKind, string>> = {
  argv: "array of strings",
  string: "string",
  bool: "boolean",
  uint: "integer ≥ 0",
  id: "string or integer",
  "string[]": "array of strings",
  "uint[]": "array of integers",
  "namespace[]": "array of strings",
  "idmap[]": 'array of "IN:OUT:COUNT" strings or {inside, outside, count} tables',
  log_level: "string",
};
