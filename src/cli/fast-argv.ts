// CLI: a commander-free parser for well-formed `nsjail run …` lines, built from the same flag
// table (flag-table.ts). It returns exactly what commander's run action would receive, or null
// and main.ts falls back to commander, which owns help, usage errors and everything unusual.
import { END_OF_OPTIONS, FLAGGED, FORM_FLAGS, RUN_OPTIONS, SHORTHANDS, attributeFor, negatedFlag } from "./flag-table.ts";

export interface FastRun {
  readonly command: string[];
  readonly opts: Record<string, unknown>;
}

/** What an option does to opts[attr]: take a value, collect values, collect [flag, value]
 * (several flags feeding one key), or set true/false. */
type Effect = "value" | "collect" | "tagged" | "on" | "off";
type Lookup = ReadonlyMap<string, { readonly attr: string; readonly effect: Effect }>;

let lookup: Lookup | null = null;

const LONG = "--";

function buildLookup(): Lookup {
  const map = new Map<string, { attr: string; effect: Effect }>();
  for (const o of RUN_OPTIONS) {
    const entry = { attr: attributeFor(o.long), effect: o.placeholder === null ? ("on" as const) : ("value" as const) };
    map.set(o.long, entry);
    if (o.short !== null) map.set(o.short, entry);
  }
  for (const s of SHORTHANDS) {
    const entry = { attr: attributeFor(s.flag), effect: "on" as const };
    map.set(s.flag, entry);
    if (s.short !== null) map.set(s.short, entry);
  }
  for (const s of FLAGGED) {
    const attr = attributeFor(s.flag);
    if (s.kind === "bool") {
      // Commander stores `--no-x` as x = false when `--x` exists too, with no default for x.
      map.set(s.flag, { attr, effect: "on" });
      map.set(negatedFlag(s.flag), { attr, effect: "off" });
    } else {
      map.set(s.flag, { attr, effect: s.repeatable ? "collect" : "value" });
    }
  }
  for (const f of FORM_FLAGS) map.set(f.flag, { attr: f.attr, effect: "tagged" });
  return map;
}

/**
 * argv without the executable, e.g. `["run", "--env", "A=1", "--", "/bin/true"]`. Mirrors
 * commander's passThroughOptions: the first operand (or `--`) ends option parsing, and a value
 * option takes the next word whatever it looks like (`--hostname --env` sets hostname), except
 * `--`, which commander is told to refuse (flags.ts).
 */
export function parseRunFast(argv: readonly string[]): FastRun | null {
  if (argv[0] !== "run") return null;
  lookup ??= buildLookup();
  const opts: Record<string, unknown> = {};
  let i = 1;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === END_OF_OPTIONS) return { command: argv.slice(i), opts };
    // An operand ("-" alone included): it and everything after it belong to the command.
    if (arg.length < 2 || arg[0] !== "-") return { command: argv.slice(i - 1), opts };
    // `--name=value`; short options with attached values (`-cFILE`) go to commander.
    const eq = arg.startsWith(LONG) ? arg.indexOf("=") : -1;
    const attached = eq > LONG.length;
    const spec = lookup.get(attached ? arg.slice(0, eq) : arg);
    // Unknown (-h and --help included), or `--bool=x`, which commander rejects.
    if (spec === undefined || (attached && (spec.effect === "on" || spec.effect === "off"))) return null;
    if (spec.effect === "on" || spec.effect === "off") {
      opts[spec.attr] = spec.effect === "on";
      continue;
    }
    if (!attached && i >= argv.length) return null; // missing value: commander's error message
    const value = attached ? arg.slice(eq + 1) : argv[i++]!;
    if (value === END_OF_OPTIONS) return null; // a missing value: commander's error message
    if (spec.effect === "value") opts[spec.attr] = value;
    else if (spec.effect === "tagged") ((opts[spec.attr] ??= []) as [string, string][]).push([attached ? arg.slice(0, eq) : arg, value]);
    else ((opts[spec.attr] ??= []) as string[]).push(value); // appends in place: O(1) per flag
  }
  return { command: [], opts };
}
