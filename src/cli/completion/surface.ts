// CLI: the command line as data — verbs, their options and what each value or operand can be —
// read off the commander program, whose options come from the config schema. The shell
// completions and docs/nsjail.1 are rendered from this one description.
import type { Command } from "commander";
import { CAPABILITIES } from "../../config/capabilities.ts";
import { LOG_FORMATS, LOG_LEVELS, NAMESPACES } from "../../config/model.ts";
import { FLAGGED } from "../flag-table.ts";

/** What a value or an operand can be, so a shell can offer it. */
export type Values =
  | { readonly kind: "none" | "any" | "file" | "user" | "group" | "envvar" | "command" }
  | { readonly kind: "words"; readonly words: readonly string[]; readonly list?: boolean };

export interface OptionSurface {
  readonly short: string | null;
  readonly long: string;
  /** The value's placeholder, or null for a flag without a value. */
  readonly value: string | null;
  readonly doc: string;
  readonly values: Values;
  readonly repeatable: boolean;
}

export interface VerbSurface {
  readonly name: string;
  readonly doc: string;
  /** e.g. `[command...]`, `<file...>`. */
  readonly usage: string;
  readonly options: readonly OptionSurface[];
  readonly operands: Values;
}

const NAMESPACE_WORDS = [...NAMESPACES, "mnt", "mount"];

/** What a schema key's value can be, by its kind (and for `cap`, its key). */
function valuesOf(long: string): Values {
  if (long === "--config") return { kind: "file" };
  const spec = FLAGGED.find((s) => s.flag === long);
  if (spec === undefined) return { kind: "any" };
  if (spec.key === "cap") return { kind: "words", words: CAPABILITIES.map((c) => c.slice("CAP_".length).toLowerCase()) };
  if (spec.key === "keep_env") return { kind: "envvar" };
  if (spec.kind === "namespace[]") return { kind: "words", words: NAMESPACE_WORDS, list: true };
  if (spec.kind === "log_level") return { kind: "words", words: LOG_LEVELS };
  if (spec.kind === "log_format") return { kind: "words", words: LOG_FORMATS };
  if (spec.kind === "id") return { kind: spec.key === "gid" ? "group" : "user" };
  return { kind: "any" };
}

function operandsOf(cmd: Command): Values {
  const arg = cmd.registeredArguments[0];
  if (arg === undefined) return { kind: "none" };
  if (arg.argChoices !== undefined) return { kind: "words", words: arg.argChoices };
  return arg.name() === "command" ? { kind: "command" } : { kind: "file" };
}

function optionsOf(cmd: Command): OptionSurface[] {
  return cmd.options.map((o) => {
    const value = o.required || o.optional ? (/<([^>]+)>/.exec(o.flags)?.[1] ?? "VALUE") : null;
    const long = o.long ?? o.short ?? "";
    const repeatable = FLAGGED.some((s) => s.flag === long && s.repeatable);
    return { short: o.short ?? null, long, value, doc: o.description, values: value === null ? { kind: "none" } : valuesOf(long), repeatable };
  });
}

/** Every verb of `program` (commander's own `help` included) with its options. */
export function cliSurface(program: Command): { readonly options: readonly OptionSurface[]; readonly verbs: readonly VerbSurface[] } {
  const verbs: VerbSurface[] = program.commands.map((cmd) => ({
    name: cmd.name(),
    doc: cmd.description(),
    usage: cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? "..." : ""}>` : `[${a.name()}${a.variadic ? "..." : ""}]`)).join(" "),
    options: optionsOf(cmd),
    operands: operandsOf(cmd),
  }));
  verbs.push({ name: "help", doc: "display help for a command", usage: "[command]", options: [], operands: { kind: "words", words: verbs.map((v) => v.name) } });
  return { options: optionsOf(program), verbs };
}

/** A doc line cut to its first clause, for shells that show one short description. */
export function shortDoc(doc: string): string {
  const first = doc.replace(/`/g, "").split(/(?<=[.;:])\s|\s\(/)[0] ?? doc;
  return first.replace(/[.;:]$/, "");
}
