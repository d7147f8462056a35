// Stage 1 (config), CLI side: one commander option per schema key. Naming lives in
// flag-table.ts and the conversion to raw TOML keys in flags-to-raw.ts, which the
// commander-free fast path shares.
import { type Command, InvalidArgumentError, Option } from "commander";
import type { KeySpec } from "../config/schema/index.ts";
import { END_OF_OPTIONS, FLAGGED, FORM_FLAGS, SHORTHANDS, negatedFlag } from "./flag-table.ts";

/** Commander gives a value option the next word whatever it is; `--` is refused, since it
 * means the value was forgotten (`--hostname -- /bin/hostname`). */
export function notEndOfOptions(value: string): string {
  if (value === END_OF_OPTIONS) throw new InvalidArgumentError(`${END_OF_OPTIONS} ends the options, so the value is missing`);
  return value;
}

/** Appends in place, so n repeats of a flag cost O(n), not O(n²). Commander hands back what
 * this returned last time, so the array is ours to grow. */
function collect(value: string, previous: string[] | undefined): string[] {
  const list = previous ?? [];
  list.push(notEndOfOptions(value));
  return list;
}

function helpText(s: KeySpec): string {
  const extra = s.repeatable ? (s.replaces ? "; repeatable, replaces the config's list" : "; repeatable, adds to the config's list") : "";
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
    cmd.addOption(s.repeatable ? opt.argParser(collect) : opt.argParser(notEndOfOptions));
  }
  for (const f of FORM_FLAGS) {
    const opt = new Option(`${f.flag} <${f.placeholder}>`, `${f.doc} (repeatable, in order with the other mount flags, after the config's mounts)`);
    // One attribute for the whole family: commander hands each parser the list so far.
    opt.attributeName = () => f.attr;
    cmd.addOption(opt.argParser((value: string, previous: [string, string][] | undefined) => tagged(f.flag, value, previous)));
  }
  for (const s of SHORTHANDS) cmd.addOption(new Option(s.short === null ? s.flag : `${s.short}, ${s.flag}`, s.doc));
  return cmd;
}

/** Appends [flag, value] in place, as collect() does. */
function tagged(flag: string, value: string, previous: [string, string][] | undefined): [string, string][] {
  const list = previous ?? [];
  list.push([flag, notEndOfOptions(value)]);
  return list;
}
