// CLI: `nsjail completion bash|zsh|fish` is rendered from the same command line as --help, so it
// offers every flag; each script is run by its own shell, which must complete real words.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "bun:test";
import { SHELLS } from "../../../src/cli/completion.ts";
import { cliSurface } from "../../../src/cli/completion/surface.ts";
import { FLAGGED, RUN_OPTIONS, SHORTHANDS } from "../../../src/cli/flag-table.ts";
import { buildProgram } from "../../../src/cli/program.ts";
import { CI, requireHost } from "../../support/host.ts";

const { verbs, options } = cliSurface(buildProgram(() => {}));
const dir = mkdtempSync(join(tmpdir(), "nsjail-completion-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The script for `shell`, written to a file its shell can source. */
function script(shell: string): string {
  const path = join(dir, `nsjail.${shell}`);
  writeFileSync(path, SHELLS[shell]!(verbs, options));
  return path;
}

const has = (shell: string) => Bun.which(shell) !== null;
for (const shell of ["zsh", "fish"]) requireHost(has(shell), `${shell}, to run its completion script`);
const run = (argv: string[]) => {
  const r = Bun.spawnSync(argv, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
};

test("every shell's script offers every flag, shorthand and verb", () => {
  const flags = [...FLAGGED.map((s) => s.flag), ...SHORTHANDS.map((s) => s.flag), ...RUN_OPTIONS.map((o) => o.long)];
  for (const shell of Object.keys(SHELLS)) {
    const text = SHELLS[shell]!(verbs, options);
    const spelled = shell === "fish" ? flags.map((f) => `-l ${f.slice(2)} `) : flags;
    for (const flag of spelled) expect([shell, text.includes(flag)]).toEqual([shell, true]);
    for (const v of ["run", "check", "test", "version", "completion"]) expect(text).toContain(v);
  }
});

describe("bash", () => {
  const file = script("bash");
  /** What the completion function offers for the words typed so far (the last is the cursor's). */
  const complete = (...words: string[]) => {
    const code = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _nsjail; printf '%s\\n' "\${COMPREPLY[@]}"`;
    // A command in two PATH directories (/bin → /usr/bin) is offered twice; once is enough.
    return [...new Set(run(["bash", "-c", code]).out.split("\n").filter(Boolean))];
  };
  writeFileSync(join(dir, "jail.toml"), "");
  test("the script parses", () => expect(run(["bash", "-n", file]).code).toBe(0));
  test("verbs, flags and their values", () => {
    expect(complete("nsjail", "")).toEqual(expect.arrayContaining(["run", "check", "test", "version", "completion", "help"]));
    expect(complete("nsjail", "run", "--unsh")).toEqual(["--unshare"]);
    expect(complete("nsjail", "run", "--unshare", "net,p")).toEqual(["net,pid"]);
    expect(complete("nsjail", "run", "--share", "-n")).toEqual(["-net"]);
    expect(complete("nsjail", "run", "--log-level", "w")).toEqual(["warn"]);
    expect(complete("nsjail", "run", "--uid", "roo")).toEqual(["root"]);
    expect(complete("nsjail", "run", "--cap", "net_bind")).toEqual(["net_bind_service"]);
    expect(complete("nsjail", "completion", "")).toEqual(["bash", "zsh", "fish"]);
    expect(complete("nsjail", "check", join(dir, "jai"))).toEqual([join(dir, "jail.toml")]);
    expect(complete("nsjail", "run", "-c", join(dir, "jai"))).toEqual([join(dir, "jail.toml")]);
  });
  test("the jailed command, after -- or as run's first operand", () => {
    expect(complete("nsjail", "run", "--hostname", "h", "--", "truncat")).toEqual(["truncate"]);
    expect(complete("nsjail", "run", "--env", "A=1", "truncat")).toEqual(["truncate"]);
    expect(complete("nsjail", "run", "--", "/bin/sh", join(dir, "jai"))).toEqual([join(dir, "jail.toml")]);
  });
});

describe.skipIf(!has("zsh") && !CI)("zsh", () => {
  test("the script parses and registers _nsjail for nsjail", () => {
    const file = script("zsh");
    expect(run(["zsh", "-n", file]).code).toBe(0);
    const r = run(["zsh", "-fc", `autoload -Uz compinit && compinit -u -d ${dir}/zcompdump && source ${file} && print -r -- $_comps[nsjail]`]);
    expect(r.err).toBe("");
    expect(r.out).toBe("_nsjail\n");
  });
});

describe.skipIf(!has("fish") && !CI)("fish", () => {
  const file = script("fish");
  const complete = (line: string) => run(["fish", "--no-config", "-c", `source ${file}; complete -C '${line}'`]).out.split("\n").filter(Boolean).map((l) => l.split("\t")[0]);
  test("the script parses", () => expect(run(["fish", "-n", file]).code).toBe(0));
  test("verbs, flags, values and the jailed command", () => {
    expect(complete("nsjail ")).toEqual(expect.arrayContaining(["run", "check", "test", "version", "completion"]));
    expect(complete("nsjail run --unsh")).toEqual(["--unshare"]);
    expect(complete("nsjail run --unshare=net,p")).toEqual(["--unshare=net,pid"]);
    expect(complete("nsjail run --log-level ")).toEqual(["debug", "error", "info", "warn"]);
    expect(complete("nsjail run -- truncat")).toEqual(["truncate"]);
    expect(complete("nsjail completion ")).toEqual(["bash", "fish", "zsh"]);
  });
});
