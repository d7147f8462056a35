// Build check: the file-size budget — TS sources ≤ 500 lines (300 is the
// aim), CLI command files ≤ 100, each C file ≤ 400. Test files are exempt.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;

function files(dir: string, ext: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return files(rel, ext);
    return name.endsWith(ext) ? [rel] : [];
  });
}

function limitFor(path: string): number {
  if (path.endsWith(".c")) return 400;
  if (path.startsWith("src/cli/")) return 100;
  return 500;
}

export function oversizedFiles(): string[] {
  return [...files("src", ".ts"), ...files("ffi", ".c"), ...files("scripts", ".ts")]
    .map((path) => ({ path, lines: readFileSync(join(ROOT, path), "utf8").split("\n").length - 1 }))
    .filter(({ path, lines }) => lines > limitFor(path))
    .map(({ path, lines }) => `${path}: ${lines} lines (limit ${limitFor(path)})`);
}

if (import.meta.main) {
  const problems = oversizedFiles();
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
}
