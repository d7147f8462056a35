// Build check: every op in src/plan/ops.ts has a `case NSJ_OP_<KIND>:` in ffi/ops.c, and the
// C side handles no op the TypeScript side does not know.
import { readFileSync } from "node:fs";
import { OP_CODES } from "../src/plan/ops.ts";

export function wireMismatches(source = readFileSync(new URL("../ffi/ops.c", import.meta.url), "utf8")): string[] {
  const cases = new Set([...source.matchAll(/case NSJ_OP_([A-Z0-9_]+):/g)].map((m) => m[1]!.toLowerCase()));
  const kinds = new Set(Object.keys(OP_CODES));
  return [
    ...[...kinds].filter((k) => !cases.has(k)).map((k) => `op ${k} has no case in ffi/ops.c`),
    ...[...cases].filter((c) => !kinds.has(c)).map((c) => `ffi/ops.c handles unknown op ${c}`),
  ];
}

if (import.meta.main) {
  const problems = wireMismatches();
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
}
