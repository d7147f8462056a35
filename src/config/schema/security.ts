// Stage 1 (config): what the command may still do — the capabilities it keeps: the key, its
// reader and default.
import { describe, expectArray, expectCString } from "../expect.ts";
import { CAPABILITIES, capFullName, capName, capNumber } from "../capabilities.ts";
import type { JailConfig } from "../model.ts";
import { didYouMean } from "../suggest.ts";
import { defineKey, sortedUnique, type Reader, type ValuesOf } from "./key.ts";

const readCap: Reader<number> = (v, path, { report, host }) => {
  const s = expectCString(v, path, report);
  if (s === undefined) return undefined;
  const n = capNumber(s);
  if (n === null) {
    report(path, `unknown capability ${describe(s)}${didYouMean(capFullName(s), CAPABILITIES)}`);
    return undefined;
  }
  if (n > host.capLastCap) {
    report(path, `${capName(n)} (${n}) is not known to this kernel (cap_last_cap is ${host.capLastCap})`);
    return undefined;
  }
  return n;
};

export const SECURITY_KEYS = [
  defineKey(
    {
      key: "cap",
      flag: "--cap",
      kind: "string[]",
      repeatable: true,
      placeholder: "NAME",
      defaultDoc: "none",
      doc: "Capabilities kept inside the jail, e.g. `net_bind_service` or `CAP_NET_BIND_SERVICE`.",
    },
    (v, path, ctx) => expectArray(v, path, ctx.report, (item, p) => readCap(item, p, ctx)),
  ),
] as const;

export function securityDefaults(f: Partial<ValuesOf<typeof SECURITY_KEYS>>): Pick<JailConfig, "caps"> {
  return { caps: sortedUnique(f.cap ?? []) };
}
