// Stage 1 (config): the command and what it starts with — argv, working directory,
// environment and passed fds: their keys, readers, defaults and rules.
import type { ConfigIssue } from "../../errors.ts";
import { byteLength } from "../../sys/bytes.ts";
import { describe, expectArray, expectCString, expectInt, type Report } from "../expect.ts";
import type { HostFacts } from "../host.ts";
import { MAX_EXEC_STRINGS, type JailConfig } from "../model.ts";
import { defineKey, sortedUnique, type Reader, type Rule, type ValuesOf } from "./key.ts";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME_RULE = "letters, digits and _, not starting with a digit";
/** File descriptors are ints; the kernel never hands out a larger one. */
const FD_MAX = 0x7fff_ffff;
/** 0, 1 and 2 always cross into the jail; passing starts above them. */
const FIRST_PASSED_FD = 3;
/** MAX_ARG_STRLEN: execve(2) refuses (E2BIG) any argv or envp string of 32 pages or more. */
const MAX_EXEC_STRING_BYTES = 32 * 4096 - 1;

/** A string that reaches execve: no NUL, and short enough for the kernel. */
function expectExecString(v: unknown, path: string, report: Report): string | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const bytes = byteLength(s);
  if (bytes <= MAX_EXEC_STRING_BYTES) return s;
  report(path, `${bytes} bytes is too long for execve (at most ${MAX_EXEC_STRING_BYTES})`);
  return undefined;
}

/** "KEY=VALUE" → [key, value]; the value may be empty and may contain "=". */
function readEnvEntry(v: unknown, path: string, report: Report): [string, string] | undefined {
  const s = expectExecString(v, path, report);
  if (s === undefined) return undefined;
  const eq = s.indexOf("=");
  if (eq < 0) {
    report(path, `expected "KEY=VALUE", got ${describe(s)}`);
    return undefined;
  }
  const key = s.slice(0, eq);
  if (!ENV_NAME.test(key)) {
    report(path, `invalid variable name ${describe(key)} (${ENV_NAME_RULE})`);
    return undefined;
  }
  return [key, s.slice(eq + 1)];
}

/** A `keep_env` item that keeps the whole host environment. */
const KEEP_ALL = "*";

function readEnvName(v: unknown, path: string, report: Report): string | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined || s === KEEP_ALL || ENV_NAME.test(s)) return s;
  report(path, `invalid variable name ${describe(s)} (${ENV_NAME_RULE})`);
  return undefined;
}

const readArgv: Reader<string[]> = (v, path, { report }) => expectArray(v, path, report, (item, p) => expectExecString(item, p, report));

export const COMMAND_KEYS = [
  defineKey(
    {
      key: "command",
      flag: null,
      kind: "argv",
      repeatable: false,
      placeholder: "",
      defaultDoc: "none: required",
      doc: "argv of the jailed command; a command given after `--` on the CLI replaces it.",
    },
    readArgv,
  ),
  defineKey(
    {
      key: "chdir",
      flag: "--chdir",
      kind: "string",
      repeatable: false,
      placeholder: "DIR",
      defaultDoc: "`/`",
      doc: "Absolute working directory of the command inside the jail.",
    },
    (v, path, { report }) => {
      const s = expectCString(v, path, report);
      if (s === undefined || s.startsWith("/")) return s;
      report(path, `must be an absolute path, got ${describe(s)}`);
      return undefined;
    },
  ),
  defineKey(
    {
      key: "env",
      flag: "--env",
      kind: "string[]",
      repeatable: true,
      placeholder: "KEY=VALUE",
      defaultDoc: "none",
      doc: "Environment variables; they override the defaults (PATH, HOME, TERM, LANG) and kept ones, and a later entry overrides an earlier one of the same name (so `--env` overrides the file's).",
    },
    (v, path, { report }) => expectArray(v, path, report, (item, p) => readEnvEntry(item, p, report)),
  ),
  defineKey(
    {
      key: "keep_env",
      flag: "--keep-env",
      kind: "string[]",
      repeatable: true,
      placeholder: "NAME",
      defaultDoc: "none",
      doc: `Names of host environment variables copied into the jail when set on the host; \`${KEEP_ALL}\` copies all of them.`,
      shorthands: [{ flag: "--keep-env-all", short: null, value: KEEP_ALL, doc: `Keep the whole host environment (same as --keep-env '${KEEP_ALL}')` }],
    },
    (v, path, { report }) => expectArray(v, path, report, (item, p) => readEnvName(item, p, report)),
  ),
  defineKey(
    {
      key: "pass_fd",
      flag: "--pass-fd",
      kind: "uint[]",
      repeatable: true,
      placeholder: "FD",
      defaultDoc: "none",
      doc: "File descriptors (3 and up) that stay open in the jail; 0, 1 and 2 always do.",
    },
    (v, path, { report }) => expectArray(v, path, report, (item, p) => expectInt(item, p, report, FIRST_PASSED_FD, FD_MAX)),
  ),
] as const;

type CommandFields = Partial<ValuesOf<typeof COMMAND_KEYS>>;

/**
 * The final environment: defaults, then kept host variables (all with `*`), then explicit `env` entries. A Map
 * keeps the first position of a key and the last value, so overriding PATH in `env` leaves it
 * first in the list. TERM and LANG come from the host so programs render sanely.
 */
function buildEnv(explicit: readonly (readonly [string, string])[], keep: readonly string[], host: HostFacts["env"]): [string, string][] {
  const env = new Map<string, string>([
    ["PATH", DEFAULT_PATH],
    ["HOME", "/"],
  ]);
  if (host.TERM !== undefined) env.set("TERM", host.TERM);
  env.set("LANG", host.LANG ?? "C.UTF-8");
  const names = keep.includes(KEEP_ALL) ? Object.keys(host) : keep;
  for (const name of names) {
    const value = host[name];
    if (value !== undefined) env.set(name, value);
  }
  for (const [k, v] of explicit) env.set(k, v);
  return [...env];
}

export function commandDefaults(f: CommandFields, host: HostFacts): Pick<JailConfig, "command" | "chdir" | "env" | "passFds"> {
  return {
    command: f.command ?? [],
    chdir: f.chdir ?? "/",
    env: buildEnv(f.env ?? [], f.keep_env ?? [], host.env),
    passFds: sortedUnique(f.pass_fd ?? []),
  };
}

function commandGiven(config: JailConfig): ConfigIssue[] {
  if (config.command.length === 0) return [{ path: "command", message: "no command: give one in the config or after --" }];
  if (config.command[0] === "") return [{ path: "command[0]", message: "the program name is empty" }];
  return [];
}

/** The command's argv and its final environment must fit the jail's execve. */
function execStringsFit(config: JailConfig): ConfigIssue[] {
  const [argv, env] = [config.command.length, config.env.length];
  if (argv + env <= MAX_EXEC_STRINGS) return [];
  const message = `${argv} arguments and ${env} environment variables: at most ${MAX_EXEC_STRINGS} together reach the command`;
  return [{ path: argv >= env ? "command" : "env", message }];
}

export const COMMAND_RULES: readonly Rule[] = [
  { name: "commandGiven", uses: ["command"], runOnly: true, check: commandGiven },
  { name: "execStringsFit", uses: ["command", "env", "keep_env"], check: execStringsFit },
];
