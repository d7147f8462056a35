// Build check: imports go down the pipeline only — cli → jail → supervisor → launch → wire →
// plan → config → sys → errors — and no two files import each other, even through others.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;

/** Rank of each room, lowest first; a file may import its own rank or a lower one. */
const ROOMS: readonly (readonly [string, number])[] = [
  ["src/errors.ts", 0],
  ["src/errno.ts", 0],
  ["src/sys/", 1],
  ["src/config/", 2],
  ["src/log.ts", 2],
  ["src/plan/", 3],
  ["src/wire/", 4],
  ["src/launch/", 5],
  ["src/supervisor/", 6],
  ["src/jail.ts", 7],
  ["src/emperor/", 7.5],
  ["src/selftest/", 8],
  ["src/cli/", 8],
  ["src/main.ts", 8],
];

function rankOf(path: string): number | null {
  return ROOMS.find(([room]) => path === room || (room.endsWith("/") && path.startsWith(room)))?.[1] ?? null;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return sources(rel);
    return name.endsWith(".ts") ? [rel] : [];
  });
}

function readSources(): Map<string, string> {
  return new Map(sources("src").map((file) => [file, readFileSync(join(ROOT, file), "utf8")]));
}

/** Relative imports of a file: static, type-only, dynamic and require() alike. */
function importsOf(path: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:from|import\(|require\()\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
  return specs.map((spec) => relative(ROOT, join(ROOT, dirname(path), spec)));
}

/** `files` maps each path under src/ to its text; by default, the checkout's. */
export function directionProblems(files: ReadonlyMap<string, string> = readSources()): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const from = rankOf(file);
    if (from === null) problems.push(`${file}: in no room of scripts/check-direction.ts`);
    const targets = importsOf(file, text).filter((t) => t.startsWith("src/"));
    graph.set(file, targets);
    for (const target of targets) {
      const to = rankOf(target);
      if (from !== null && to !== null && to > from) problems.push(`${file} imports ${target}, a later stage`);
    }
  }
  return [...problems, ...cycles(graph)];
}

/** Every import cycle, each reported once from its first file. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push(`import cycle: ${[...stack.slice(stack.indexOf(next)), next].join(" → ")}`);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

if (import.meta.main) {
  const problems = directionProblems();
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
}
