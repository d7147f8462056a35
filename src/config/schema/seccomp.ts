// Stage 1 (config): which syscalls the command may make — the [seccomp] table and its flags.
// The reader (config/seccomp.ts) and the syscall tables load only when the table or one of
// its flags is given.
import type { ConfigIssue } from "../../errors.ts";
import type { HostFacts } from "../host.ts";
import type { JailConfig } from "../model.ts";
import type { SeccompPolicy } from "../seccomp.ts";
import { defineTable, type KeySpec, type Reader, type Rule, type ValuesOf } from "./key.ts";

const field = (key: string, flag: string, d: Pick<KeySpec, "kind" | "repeatable" | "placeholder" | "defaultDoc" | "doc">): KeySpec => ({ key, flag, ...d });

const ACTIONS = "`allow`, `errno` (fail with `errno`), `kill` (the process dies of SIGSYS), `log` (allow, and audit) or `trap` (SIGSYS the process may catch)";

export const SECCOMP_FIELDS: readonly KeySpec[] = [
  field("default", "--seccomp-default", { kind: "string", repeatable: false, placeholder: "ACTION", defaultDoc: "`allow`", doc: `What a syscall in neither list does: ${ACTIONS}.` }),
  field("allow", "--seccomp-allow", { kind: "string[]", repeatable: true, placeholder: "NAME", defaultDoc: "none", doc: "Syscalls always allowed: the allow list under a blocking `default`, or exceptions to a denied group." }),
  field("deny", "--seccomp-deny", { kind: "string[]", repeatable: true, placeholder: "NAME", defaultDoc: "none", doc: "Syscalls that get `deny_action`, by name, or `@dangerous` (kexec_load, init_module, bpf, userfaultfd, keyctl, perf_event_open, open_by_handle_at, io_uring, …)." }),
  field("deny_action", "--seccomp-deny-action", { kind: "string", repeatable: false, placeholder: "ACTION", defaultDoc: "`errno`", doc: "What a denied syscall does: `errno`, `kill`, `log` or `trap`." }),
  field("errno", "--seccomp-errno", { kind: "errno", repeatable: false, placeholder: "ERRNO", defaultDoc: "`EPERM`", doc: "The error every `errno` action returns, by name or number (1..4095)." }),
  field("nested_userns", "--nested-userns", { kind: "bool", repeatable: false, placeholder: "", defaultDoc: "`true`", doc: "Whether the command may create user namespaces; with false, unshare and clone with CLONE_NEWUSER fail with EPERM, and clone3 with ENOSYS." }),
];

const readSeccompTable: Reader<SeccompPolicy> = (v, path, { report }) =>
  (require("../seccomp.ts") as typeof import("../seccomp.ts")).readSeccomp(v, path, report);

export const SECCOMP_KEYS = [
  defineTable(
    {
      key: "seccomp",
      defaultDoc: "none: no filter",
      doc: "A syscall filter (seccomp BPF) for the command, installed right before its execve: nsjail's own setup and the jail's init are never filtered. The architecture is checked and x32 calls are killed. A flag sets one key and keeps the file's others.",
      fields: SECCOMP_FIELDS,
    },
    readSeccompTable,
  ),
] as const;

export function seccompDefaults(f: Partial<ValuesOf<typeof SECCOMP_KEYS>>): Pick<JailConfig, "seccomp"> {
  return { seccomp: f.seccomp ?? null };
}

/** The filter is compiled for nsjail's own architecture; there are tables for two. */
function seccompArch(config: JailConfig, host: HostFacts): ConfigIssue[] {
  if (config.seccomp === null) return [];
  const { syscallArchOf } = require("../../sys/syscall-names.ts") as typeof import("../../sys/syscall-names.ts");
  if (syscallArchOf(host.arch) !== null) return [];
  return [{ path: "seccomp", message: `no syscall table for this architecture (${host.arch}): filters are built for x86_64 and aarch64` }];
}

export const SECCOMP_RULES: readonly Rule[] = [{ name: "seccompArch", uses: ["seccomp"], check: seccompArch }];
