// Stage 3 (wire): the setns socket's message — one line of JSON the jail's supervisor sends
// each allowed peer, with the namespace fds as SCM_RIGHTS on the same sendmsg, or a refusal.
// docs/setns.md is its description; this file is its only reader and writer.
import { NAMESPACES, type Namespace } from "../config/model.ts";
import { RESTRICTION_KINDS, type JailIdentity } from "../plan/join.ts";
import { OP_SIGNATURES, type OpKind } from "../plan/ops.ts";
import { op, type Op, type OpArg } from "../plan/types.ts";

export const SETNS_VERSION = 1;
/** The longest line a client reads: a seccomp filter of the kernel's maximum size in base64
 * is 44 KiB, and the jail's environment is bounded by execve's limits. */
export const SETNS_MESSAGE_MAX = 4 << 20;

/** What a jail tells a process that joins it: where things are, and who to become. */
export interface JoinTerms extends JailIdentity {
  /** The jail's first process, in the supervisor's pid namespace. */
  readonly pid: number;
  /** One fd each, in this order, then the root's fd when `root`. */
  readonly namespaces: readonly Namespace[];
  readonly root: boolean;
  /** The command's working directory inside the jail. */
  readonly cwd: string;
}

export type SetnsMessage = { readonly terms: JoinTerms } | { readonly refused: string };

/** Integers go as decimal strings (an rlimit can be 2^64 - 1), filters as base64. */
function encodeArg(arg: OpArg): unknown {
  if (typeof arg === "number" || typeof arg === "bigint") return String(arg);
  if (arg instanceof Uint8Array) return Buffer.from(arg).toString("base64");
  return arg;
}

export function encodeSetnsMessage(m: SetnsMessage): Uint8Array {
  const body =
    "refused" in m
      ? { error: m.refused }
      : {
          pid: m.terms.pid,
          namespaces: m.terms.namespaces,
          root: m.terms.root,
          cwd: m.terms.cwd,
          user_ns: m.terms.userns,
          uid: m.terms.creds.uid,
          gid: m.terms.creds.gid,
          caps: m.terms.creds.caps,
          setgroups: m.terms.creds.setgroups,
          groups: m.terms.creds.groups,
          host_uid: m.terms.hostUid,
          host_gid: m.terms.hostGid,
          host_groups: m.terms.hostGroups,
          env: m.terms.env,
          restrictions: m.terms.restrictions.map((o) => ({ kind: o.kind, args: o.args.map(encodeArg), path: o.origin.path, note: o.origin.note })),
        };
  return Buffer.from(`${JSON.stringify({ nsjail_setns: SETNS_VERSION, ...body })}\n`);
}

class Bad extends Error {}

const fail = (what: string): never => {
  throw new Bad(what);
};
const MAX_ID = 0xffff_fffe;
const isInt = (v: unknown, max: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;
const int = (v: unknown, what: string, max = MAX_ID): number => (isInt(v, max) ? v : fail(`${what} is not an integer in 0..${max}`));
const cstr = (v: unknown, what: string): string => (typeof v === "string" && !v.includes("\0") ? v : fail(`${what} is not a string`));
const bool = (v: unknown, what: string): boolean => (typeof v === "boolean" ? v : fail(`${what} is not a boolean`));
const list = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : fail(`${what} is not an array`));

function decodeArg(kind: string, v: unknown, what: string): OpArg {
  if (kind === "i") return typeof v === "string" && /^-?\d{1,20}$/.test(v) ? BigInt(v) : fail(`${what} is not an integer`);
  if (kind === "n") return list(v, what).map((x, i) => int(x, `${what}[${i}]`, 0xffff_ffff));
  if (kind === "b") return typeof v === "string" ? new Uint8Array(Buffer.from(v, "base64")) : fail(`${what} is not base64`);
  return fail(`${what} has an argument kind a restriction never has`);
}

function decodeRestriction(v: unknown, at: number): Op {
  const what = `restrictions[${at}]`;
  const r = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : fail(`${what} is not an object`);
  const kind = RESTRICTION_KINDS.find((k) => k === r.kind) ?? fail(`${what}.kind is not one of ${RESTRICTION_KINDS.join(", ")}`);
  const sig = OP_SIGNATURES[kind as OpKind];
  const args = list(r.args, `${what}.args`);
  if (args.length !== sig.length) fail(`${what} has ${args.length} arguments, not ${sig.length}`);
  return op(kind, args.map((a, i) => decodeArg(sig[i]!, a, `${what}.args[${i}]`)), { path: cstr(r.path, `${what}.path`), note: cstr(r.note, `${what}.note`) });
}

function decodeTerms(m: Record<string, unknown>): JoinTerms {
  const namespaces = list(m.namespaces, "namespaces").map((n, i) =>
    (NAMESPACES as readonly unknown[]).includes(n) ? (n as Namespace) : fail(`namespaces[${i}] is not a namespace`),
  );
  if (new Set(namespaces).size !== namespaces.length) fail("namespaces lists one twice");
  const cwd = cstr(m.cwd, "cwd");
  if (!cwd.startsWith("/")) fail("cwd is not an absolute path");
  return {
    pid: int(m.pid, "pid"),
    namespaces,
    root: bool(m.root, "root"),
    cwd,
    userns: bool(m.user_ns, "user_ns"),
    creds: {
      uid: int(m.uid, "uid"),
      gid: int(m.gid, "gid"),
      caps: list(m.caps, "caps").map((c, i) => int(c, `caps[${i}]`, 63)),
      setgroups: bool(m.setgroups, "setgroups"),
      // Added after the first version: a server that does not send it sets no groups.
      groups: m.groups === undefined ? [] : list(m.groups, "groups").map((g, i) => int(g, `groups[${i}]`)),
    },
    hostUid: int(m.host_uid, "host_uid"),
    hostGid: int(m.host_gid, "host_gid"),
    hostGroups: list(m.host_groups, "host_groups").map((g, i) => int(g, `host_groups[${i}]`)),
    env: list(m.env, "env").map((e, i) => (cstr(e, `env[${i}]`).includes("=") ? (e as string) : fail(`env[${i}] is not KEY=VALUE`))),
    restrictions: list(m.restrictions, "restrictions").map(decodeRestriction),
  };
}

/** The message in `line` (without its newline), or an Error saying what is wrong with it. */
export function decodeSetnsMessage(line: string): SetnsMessage | Error {
  try {
    const m: unknown = JSON.parse(line);
    if (typeof m !== "object" || m === null || Array.isArray(m)) return new Error("not a JSON object");
    const fields = m as Record<string, unknown>;
    if (fields.nsjail_setns !== SETNS_VERSION) {
      return new Error(`protocol version ${JSON.stringify(fields.nsjail_setns)}, this nsjail speaks ${SETNS_VERSION}`);
    }
    if (fields.error !== undefined) return { refused: cstr(fields.error, "error") };
    return { terms: decodeTerms(fields) };
  } catch (err) {
    return err instanceof Bad || err instanceof SyntaxError ? new Error(err.message) : (err as Error);
  }
}
