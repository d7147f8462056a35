// Test support for Stage 1 (config): fake HostContexts, so no test reads /etc or /proc.
import TOML from "@iarna/toml";
import { ConfigError, type ConfigIssue } from "../../../src/errors.ts";
import type { JailConfig } from "../../../src/config/model.ts";
import type { HostFacts } from "../../../src/config/host.ts";
import { validateConfig } from "../../../src/config/validate.ts";
import { fakePaths } from "../../support/fake-paths.ts";

const USERS: Record<string, number> = { root: 0, nobody: 65534, alice: 1000 };
const GROUPS: Record<string, number> = { root: 0, nogroup: 65534, users: 100 };

export function fakeHost(over: Partial<HostFacts> = {}): HostFacts {
  return {
    uid: 1000,
    gid: 1000,
    pid: 4242,
    env: { TERM: "xterm-256color", HOME: "/home/alice", TZ: "UTC" },
    capLastCap: 40,
    arch: "x64",
    lookupUser: (n) => USERS[n] ?? null,
    lookupGroup: (n) => GROUPS[n] ?? null,
    paths: fakePaths(),
    ...over,
  };
}

export const userHost = fakeHost();
export const rootHost = fakeHost({ uid: 0, gid: 0 });

/** Parse a snippet as the file `t.toml` and validate it. */
export function check(text: string, host: HostFacts = userHost) {
  return validateConfig(TOML.parse(text) as Record<string, unknown>, host, { file: "t.toml", text });
}

export function issuesOf(text: string, host: HostFacts = userHost): ConfigIssue[] {
  const r = check(text, host);
  if ("config" in r) throw new Error("expected issues, got a config");
  return r.issues;
}

export function configOf(text: string, host: HostFacts = userHost): JailConfig {
  const r = check(text, host);
  if ("issues" in r) throw new Error(`unexpected issues: ${JSON.stringify(r.issues)}`);
  return r.config;
}

/** The ConfigError `fn` throws; any other outcome fails the test. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}
