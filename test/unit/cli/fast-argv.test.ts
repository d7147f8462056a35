// CLI: the commander-free fast path for `nsjail run` must give exactly what commander gives, or
// decline (null) so commander handles the line. Each case is checked against the real program.
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { Option } from "commander";
import { parseRunFast } from "../../../src/cli/fast-argv.ts";
import { FLAGGED, FORM_FLAGS, RUN_OPTIONS, SHORTHANDS, attributeFor } from "../../../src/cli/flag-table.ts";
import { buildProgram } from "../../../src/cli/program.ts";

type Parsed = { command: string[]; opts: Record<string, unknown> };

/** The real commander program with the run action replaced by a recorder; null on a usage error. */
async function viaCommander(argv: string[]): Promise<Parsed | null> {
  let seen: Parsed | null = null;
  const program = buildProgram(() => {});
  const quiet = { writeOut: () => {}, writeErr: () => {} };
  program.configureOutput(quiet);
  for (const cmd of program.commands) {
    cmd.configureOutput(quiet);
    if (cmd.name() === "run") cmd.action((command: string[], opts: Record<string, unknown>) => void (seen = { command, opts }));
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith("commander.")) return null;
    throw err;
  }
  return seen;
}

// [argv, whether the fast path is expected to take it]
const CASES: [string[], boolean][] = [
  [["run", "--", "/bin/true"], true],
  [["run", "/bin/true"], true],
  [["run"], true],
  [["run", "--"], true],
  [["run", "ls", "-la"], true],
  [["run", "ls", "--", "-x"], true],
  [["run", "--", "--", "x"], true],
  [["run", "--dry-run", "--", "ls", "--hostname", "h"], true],
  [["run", "ls", "--env", "A=1"], true],
  [["run", "--env", "A=1", "--env", "B=2", "--", "env"], true],
  [["run", "--env=A=1", "--env", "B=2=3", "/bin/env"], true],
  [["run", "--unshare", "net,pid", "--unshare", "uts", "--", "/bin/true"], true],
  [["run", "--unshare", "", "/bin/true"], true],
  [["run", "--no-as-pid-1", "--", "/bin/true"], true],
  [["run", "--as-pid-1", "--no-as-pid-1", "--as-pid-1", "--no-exec", "x"], true],
  [["run", "--time-limit=5", "--", "sleep", "9"], true],
  [["run", "--time-limit", "5", "--time-limit", "7", "sleep"], true],
  [["run", "-c", "f.toml"], true],
  [["run", "--config", "f.toml", "--dry-run"], true],
  [["run", "--config=f.toml", "-c", "g.toml", "--", "x"], true],
  [["run", "--hostname", "--env", "x"], true],
  [["run", "--hostname=", "--chdir", "", "x"], true],
  [["run", "--uid-map", "0:1000:1", "--uid-map=1:100000:10", "--pass-fd", "3", "--pass-fd", "4", "x"], true],
  [["run", "--cap", "CAP_NET_RAW", "--keep-env", "TERM", "--log-level", "debug", "x"], true],
  [["run", "-", "a"], true],
  [["run", "help"], true],
  [["run", "", "a"], true],
  [["run", "x", "-h", "--help", "--bogus"], true],
  // mount flags: one list under `mount`, [flag, value] in command-line order
  [["run", "--bind", "/a:/b", "--tmpfs", "/t", "--ro-bind=/c", "--bind", "/d", "--", "x"], true],
  [["run", "--proc", "/proc", "--dev", "/dev", "--symlink", "usr/bin:/bin", "--file-fd", "3:/f", "x"], true],
  [["run", "--namespace", "/ns/001:h", "--keep-mount", "/a", "--keep-mount", "/b:/c", "--pivot-root", "/n /n/o", "x"], true],
  [["run", "--hook-as-root", "mount:proc none /proc", "--hook-as-root", "umount:/o rec,detach", "x"], true],
  [["run", "-q", "--", "x"], true],
  [["run", "-v", "--quiet", "--verbose", "x"], true],
  [["run", "--keep-env-all", "--keep-env", "TZ", "x"], true],
  [["run", "--share", "net", "--unshare", "-net,-ipc", "x"], true],
  [["run", "--dry-run", "--json", "x"], true],
  // declined: commander either errors, prints help, or reads the line its own way
  [["run", "-h"], false],
  [["run", "--help"], false],
  [["run", "--dry-run", "--help", "--", "x"], false],
  [["run", "--bogus", "x"], false],
  [["run", "--hostname"], false],
  // a value flag never takes `--` as its value: commander reports the missing value
  [["run", "--hostname", "--"], false],
  [["run", "--hostname", "--", "/bin/hostname"], false],
  [["run", "--env", "--", "x"], false],
  [["run", "-c", "--", "x"], false],
  [["run", "--hostname=--", "x"], false],
  [["run", "-qv", "x"], false],
  [["run", "-c"], false],
  [["run", "--as-pid-1=yes", "x"], false],
  [["run", "--dry-run=1", "x"], false],
  [["run", "-cf.toml", "x"], false],
  [["run", "-c=f.toml", "x"], false],
  [["run", "-1"], false],
  [["run", "--=x"], false],
  [["run", "--no-dry-run", "x"], false],
  [["run", "--no-hostname", "x"], false],
  [["check", "f.toml"], false],
  [["--help"], false],
  [["help", "run"], false],
  [[], false],
  [["runx"], false],
  [["Run", "x"], false],
];

describe("parseRunFast agrees with commander", () => {
  for (const [argv, fast] of CASES) {
    test(JSON.stringify(argv), async () => {
      const mine = parseRunFast(argv);
      expect(mine !== null).toBe(fast);
      if (mine !== null) expect(mine).toEqual((await viaCommander(argv))!);
    });
  }
  test("every fast case is one commander accepts", async () => {
    for (const [argv, fast] of CASES) if (fast) expect(await viaCommander(argv)).not.toBeNull();
  });
  test("commander refuses `--` as any value flag's value", async () => {
    const values = [...RUN_OPTIONS.filter((o) => o.placeholder !== null).map((o) => o.long), ...FLAGGED.filter((s) => s.kind !== "bool").map((s) => s.flag)];
    for (const flag of values) expect(await viaCommander(["run", flag, "--", "/bin/true"])).toBeNull();
  });
  test("every value flag, booleans both ways", async () => {
    const argv = ["run"];
    for (const s of FLAGGED) argv.push(...(s.kind === "bool" ? [s.flag, `--no-${s.flag.slice(2)}`] : [s.flag, "1", `${s.flag}=2`]));
    for (const f of FORM_FLAGS) argv.push(f.flag, "1", `${f.flag}=2`);
    for (const s of SHORTHANDS) argv.push(...(s.short === null ? [s.flag] : [s.flag, s.short]));
    argv.push("--", "/bin/true");
    expect(parseRunFast(argv)).toEqual((await viaCommander(argv))!);
  });
});

describe("attributeFor matches commander's Option.attributeName()", () => {
  const flags = [
    ...RUN_OPTIONS.map((o) => o.long),
    ...FLAGGED.flatMap((s) => (s.kind === "bool" ? [s.flag, `--no-${s.flag.slice(2)}`] : [s.flag])),
    ...SHORTHANDS.map((s) => s.flag),
  ];
  for (const flag of flags) test(flag, () => expect(attributeFor(flag)).toBe(new Option(flag).attributeName()));
});

/** Files and packages `nsjail run` loads before it looks at the config: every static import
 * chain from src/main.ts (type-only imports are erased by the transpiler; require() and
 * import() are loaded only when their code runs). */
async function startPath(): Promise<{ files: Set<string>; packages: Set<string> }> {
  const transpiler = new Bun.Transpiler({ loader: "ts" });
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = async (file: string): Promise<void> => {
    if (files.has(file)) return;
    files.add(file);
    for (const imp of transpiler.scanImports(await Bun.file(file).text())) {
      if (imp.kind !== "import-statement") continue;
      if (imp.path.startsWith(".")) await walk(resolve(file, "..", imp.path));
      else packages.add(imp.path);
    }
  };
  await walk(resolve(import.meta.dir, "../../../src/main.ts"));
  return { files, packages };
}

const SRC = resolve(import.meta.dir, "../../../src");

describe("the fast path does not load commander", () => {
  test("no static import chain from src/main.ts reaches commander", async () => {
    const { files, packages } = await startPath();
    expect(files.has(`${SRC}/cli/fast-argv.ts`)).toBe(true);
    expect([...packages].filter((p) => p.startsWith("commander"))).toEqual([]);
  });
});

describe("a jail without [limits], [seccomp] or an exit record loads none of their code", () => {
  const LAZY = [
    "config/limits.ts", "config/limit-values.ts", "config/seccomp.ts", "config/seccomp-groups.ts",
    "sys/syscall-names.ts", "sys/syscall-table.gen.ts", "plan/limits.ts", "plan/seccomp/",
    "launch/cgroup/", "supervisor/exit-record.ts", "supervisor/record-sink.ts",
  ];
  test("no static import chain from src/main.ts reaches them", async () => {
    const { files } = await startPath();
    expect([...files].map((f) => f.slice(SRC.length + 1)).filter((f) => LAZY.some((l) => f.startsWith(l)))).toEqual([]);
    // The keys themselves are on the path: their schema files and the light model.
    expect(files.has(`${SRC}/config/schema/limits.ts`) && files.has(`${SRC}/config/limits-model.ts`)).toBe(true);
  });
});

describe("repeated flags append", () => {
  const many = Array.from({ length: 100_000 }, (_, i) => ["--env", `V${i}=${i}`]).flat();
  test("the fast path keeps all 100,000 values in order", () => {
    const env = parseRunFast(["run", ...many, "--", "/bin/true"])!.opts.env as string[];
    expect(env).toHaveLength(100_000);
    expect([env[0], env.at(-1)]).toEqual(["V0=0", "V99999=99999"]);
  });
  test("commander keeps all 100,000 values in order", async () => {
    const env = (await viaCommander(["run", ...many, "--", "/bin/true"]))!.opts.env as string[];
    expect(env).toHaveLength(100_000);
    expect([env[0], env.at(-1)]).toEqual(["V0=0", "V99999=99999"]);
  });
});
