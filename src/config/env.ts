// Stage 1 (config): the jailed command's final environment: defaults, then kept host
// variables, then explicit `env` entries, each layer overriding the one before by key.
import { describe, expectCString, type Report } from "./expect.ts";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type HostEnv = Readonly<Record<string, string | undefined>>;

/** "KEY=VALUE" → [key, value]; the value may be empty and may contain "=". */
export function parseEnvEntry(v: unknown, path: string, report: Report): [string, string] | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const eq = s.indexOf("=");
  if (eq < 0) {
    report(path, `expected "KEY=VALUE", got ${describe(s)}`);
    return undefined;
  }
  const key = s.slice(0, eq);
  if (!NAME.test(key)) {
    report(path, `invalid variable name ${describe(key)} (letters, digits and _, not starting with a digit)`);
    return undefined;
  }
  return [key, s.slice(eq + 1)];
}

export function parseEnvName(v: unknown, path: string, report: Report): string | undefined {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  if (NAME.test(s)) return s;
  report(path, `invalid variable name ${describe(s)} (letters, digits and _, not starting with a digit)`);
  return undefined;
}

/**
 * A Map keeps the first position of a key and the last value, so overriding PATH in `env`
 * leaves it first in the list. TERM and LANG come from the host so programs render sanely.
 */
export function buildEnv(
  explicit: readonly (readonly [string, string])[],
  keep: readonly string[],
  host: HostEnv,
): [string, string][] {
  const env = new Map<string, string>([
    ["PATH", DEFAULT_PATH],
    ["HOME", "/"],
  ]);
  if (host.TERM !== undefined) env.set("TERM", host.TERM);
  env.set("LANG", host.LANG ?? "C.UTF-8");
  for (const name of keep) {
    const value = host[name];
    if (value !== undefined) env.set(name, value);
  }
  for (const [k, v] of explicit) env.set(k, v);
  return [...env];
}
