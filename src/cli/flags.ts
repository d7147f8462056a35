// Stage 1 (config), CLI side: one commander option per schema key, and parsed options → the raw
// snake_case table a TOML file would give, so the validator checks both the same way.
import { Command, Option } from "commander";
import { SCHEMA, type KeySpec } from "../config/schema.ts";

type FlagSpec = KeySpec & { readonly flag: string };

const FLAGGED: readonly FlagSpec[] = (SCHEMA as readonly KeySpec[]).filter((s): s is FlagSpec => s.flag !== null);

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
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
      cmd.addOption(new Option(`--no-${s.flag.slice(2)}`, `Turn ${s.flag} off, overriding the config`));
      continue;
    }
    const opt = new Option(`${s.flag} <${s.placeholder}>`, helpText(s));
    cmd.addOption(s.repeatable ? opt.argParser(collect) : opt);
  }
  return cmd;
}

/** Commander's attribute name for a flag: `--as-pid-1` → `asPid1`. */
export function attributeFor(flag: string): string {
  return new Option(flag).attributeName();
}

/**
 * Given flags only, keyed by TOML key. Integers that parse become numbers; anything else stays
 * a string so the validator reports it under the flag (`--time-limit: expected …, got 'x'`).
 */
export function flagsToRaw(opts: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const s of FLAGGED) {
    const value = opts[attributeFor(s.flag)];
    if (value === undefined) continue;
    raw[s.key] = convert(s, value);
  }
  return raw;
}

function convert(s: KeySpec, value: unknown): unknown {
  const int = (v: unknown) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v);
  switch (s.kind) {
    case "uint":
      return int(value);
    case "uint[]":
      return Array.isArray(value) ? value.map(int) : value;
    case "namespace[]": {
      // `--unshare net,pid --unshare uts` means all three; `--unshare ""` means none.
      const words = Array.isArray(value) ? value : [value];
      return words.flatMap((w) => String(w).split(",")).map((w) => w.trim()).filter((w) => w !== "");
    }
    default:
      return value;
  }
}
