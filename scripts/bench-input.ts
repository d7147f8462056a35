// Tooling: hostile-input benchmark. Each case feeds ./nsjail an input of about 10^5 elements
// (flags, map lines, keys, argv words) or one huge word, and must finish, with its expected
// exit code, in under a second: work on user input is linear and memory bounded.
// `bun scripts/bench-input.ts [--nsjail PATH]`; part of `npm run bench`.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const N = 100_000;
const BUDGET_MS = 1000;
/** A case this slow is killed: it has already failed, and quadratic cases would run for hours. */
const GIVE_UP_MS = 15_000;
/** A stack limit of 64 MiB lets execve take argv of up to 6 MiB (a quarter, capped at 3/4 of
 * 8 MiB), enough for 10^5 flags; the default 8 MiB allows 2 MiB. */
const STACK_FOR_ARGV = 64 << 20;

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  readonly exit: number;
}

const times = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

function cases(nsjail: string, dir: string): Case[] {
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const ok = file("ok.toml", 'command = ["/bin/true"]\n');
  const maps = file("maps.toml", `command = ["/bin/true"]\nuid = 0\nuid_map = [\n${times(N, () => '"0:0:1",').join("\n")}\n]\n`);
  const keys = file("keys.toml", `${times(N, (i) => `a${i}=1`).join("\n")}\n`);
  const env = file("env.toml", `command = ["/bin/true"]\nenv = [${times(N, (i) => `"V${i.toString(36)}="`).join(",")}]\n`);
  const bigKey = file("big-key.toml", `"${"k".repeat(1_000_000)}" = 1\n`);
  const run = (...args: string[]) => [nsjail, "run", ...args];
  return [
    { name: `${N} --env flags (fast path)`, argv: run(...times(N, (i) => `--env=V${i}=1`), "--", "/bin/true"), exit: 2 },
    { name: `${N} --env flags (commander)`, argv: run(...times(N, (i) => `--env=V${i}=1`), `-c${ok}`), exit: 2 },
    { name: `${N} --unshare flags`, argv: run(...times(N, () => "--unshare=net"), "--dry-run", "--", "/bin/true"), exit: 0 },
    { name: `${N} argv words`, argv: run("--", "/bin/true", ...times(N, (i) => String(i))), exit: 2 },
    { name: `${N} identical uid_map lines`, argv: [nsjail, "check", maps], exit: 2 },
    { name: `${N} unknown keys`, argv: [nsjail, "check", keys], exit: 2 },
    { name: `${N} env entries in a file`, argv: [nsjail, "check", env], exit: 2 },
    { name: "a 1 MB unknown key", argv: [nsjail, "check", bigKey], exit: 2 },
    { name: "a 128 kB unknown capability", argv: run("--cap", "x".repeat(131_000), "--", "/bin/true"), exit: 2 },
  ];
}

/** Raise our own stack limit, so the kernel lets us exec argv of 10^5 words. */
function allowLongArgv(): void {
  const r = Bun.spawnSync(["prlimit", `--pid=${process.pid}`, `--stack=${STACK_FOR_ARGV}:${STACK_FOR_ARGV}`], { stderr: "pipe" });
  if (r.exitCode !== 0) console.log(`note: could not raise the stack limit (${r.stderr.toString().trim()}); flag cases may fail with E2BIG`);
}

function main(): void {
  const { values } = parseArgs({ options: { nsjail: { type: "string" } } });
  const nsjail = values.nsjail ?? new URL("../nsjail", import.meta.url).pathname;
  if (!existsSync(nsjail)) throw new Error(`${nsjail} not found: run \`bun scripts/build.ts\` first`);
  allowLongArgv();
  const dir = mkdtempSync(join(tmpdir(), "nsjail-bench-input-"));
  let failed = 0;
  try {
    console.log(`\nhostile input: each case must exit as expected within ${BUDGET_MS} ms\n`);
    for (const c of cases(nsjail, dir)) {
      const t0 = performance.now();
      const r = Bun.spawnSync([...c.argv], { stdin: "ignore", stdout: "ignore", stderr: "pipe", timeout: GIVE_UP_MS });
      const ms = performance.now() - t0;
      const good = r.exitCode === c.exit && ms < BUDGET_MS;
      if (!good) failed++;
      const why = r.exitCode === c.exit ? "" : `  exit ${r.exitCode ?? r.signalCode}, expected ${c.exit}: ${r.stderr.toString().split("\n")[0]}`;
      console.log(`${good ? "ok  " : "FAIL"} ${ms.toFixed(0).padStart(6)} ms  ${c.name}${why}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(failed ? `\n${failed} case(s) over budget or wrong` : "\nevery case within budget");
  process.exitCode = failed ? 1 : 0;
}

main();
