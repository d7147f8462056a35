// Stage 1 (config), CLI side: one commander option per schema key. Naming and the conversion to
// raw TOML keys live in flag-table.ts, which the commander-free fast path shares.
import { type Command, Option } from "commander";
import type { KeySpec } from "../config/schema/index.ts";
import { FLAGGED, negatedFlag } from "./flag-table.ts";

/** Appends in place, so n repeats of a flag cost O(n), not O(n²). Commander hands back what
 * this returned last time, so the array is ours to grow. */
function collect(value: string, previous: string[] | undefined): string[] {
  const list = previous ?? [];
  list.push(value);
  return list;
}

function helpText(s: KeySpec): string {
  const extra = s.repeatable ? "; repeatable, replaces the config's list" : "";
  return `${s.doc} (default: ${s.defaultDoc}${extra})`.replace(/`/g, "");
}

/** Adds every config flag to `cmd`; booleans get a `--no-` twin to undo a config's `true`. */
export function addConfigFlags(cmd: Command): Command {
  for (const s of FLAGGED) {
    if (s.kind === "bool") {
      cmd.addOption(new Option(s.flag, helpText(s)));
      cmd.addOption(new Option(negatedFlag(s.flag), `Turn ${s.flag} off, overriding the config`));
      continue;
    }
    const opt = new Option(`${s.flag} <${s.placeholder}>`, helpText(s));
    cmd.addOption(s.repeatable ? opt.argParser(collect) : opt);
  }
  return cmd;
}
