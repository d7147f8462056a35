// Stage 1 (config): ids given by number or by name — the reader of uid, gid and groups, the
// lookup of a name in a rootfs or the host's name service, and setns_allow's host-only reader.
import { describe, expectCString, expectInt } from "../expect.ts";
import type { HostFacts } from "../host.ts";
import type { Reader } from "./key.ts";

/** (uid_t)-1 is "no id" to the kernel, so the largest usable id is one below it. */
export const MAX_ID = 0xffff_fffe;

/** An id, or a name still to look up: in the rootfs when the jail has one (idDefaults). */
export type IdValue = number | { readonly name: string };

export const readId: Reader<IdValue> = (v, path, { report }) => {
  if (typeof v !== "string") return expectInt(v, path, report, 0, MAX_ID);
  // Digits are an id even when quoted, so `--uid 1000` and `uid = "1000"` both work.
  if (/^\d+$/.test(v)) return expectInt(Number(v), path, report, 0, MAX_ID);
  // A NUL would end the name early in the C library's lookup.
  if (expectCString(v, path, report) === undefined) return undefined;
  if (v !== "") return { name: v };
  report(path, "the name is empty");
  return undefined;
};

/**
 * A name's id: in `root`/etc/passwd or /etc/group when the jail has a rootfs (the command
 * runs with that root's users, as uWSGI resolves --uid after pivot_root), else through the
 * host's name service. An unknown name is reported; the caller's own id stands in for it.
 */
export function resolveId(kind: "user" | "group", v: IdValue | undefined, own: number, root: string | null, host: HostFacts, report: (message: string) => void): number {
  if (v === undefined) return own;
  if (typeof v === "number") return v;
  const table = kind === "user" ? "passwd" : "group";
  const id = root !== null ? host.paths.idIn(root, table, v.name) : kind === "user" ? host.lookupUser(v.name) : host.lookupGroup(v.name);
  if (id !== null) return id;
  const file = `${root}/etc/${table}`;
  const where = root === null ? "on this host" : `in ${describe(file)}${host.paths.kind(file) === null ? ", which does not exist" : ""}`;
  report(`no ${kind} named ${describe(v.name)} ${where}`);
  return own;
}

/** A host user or group (setns_allow's peers): looked up in the host's name service now. */
export function idReader(kind: "user" | "group"): Reader<number> {
  return (v, path, ctx) => {
    const id = readId(v, path, ctx);
    if (id === undefined || typeof id === "number") return id;
    const found = kind === "user" ? ctx.host.lookupUser(id.name) : ctx.host.lookupGroup(id.name);
    if (found === null) ctx.report(path, `no ${kind} named ${describe(id.name)} on this host`);
    return found ?? undefined;
  };
}
