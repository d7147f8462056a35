// Tooling: start-up benchmark. nsjail vs bwrap vs util-linux unshare vs an empty compiled Bun
// binary, same namespaces, /bin/true, runs alternated so drift hits every tool alike.
// `bun scripts/bench.ts [--runs N] [--nsjail PATH]`; see docs/performance.md.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

interface Tool {
  readonly name: string;
  /** Which namespace set it creates, as printed in the table. */
  readonly ns: string;
  readonly argv: readonly string[];
}

interface Series {
  readonly mode: string;
  readonly tool: Tool;
  readonly wallMs: number[];
  rssKb: number | null;
  failure: string | null;
}

const CORE = "user,pid,mnt,uts,ipc";
const FULL = `${CORE},net,cgroup`;
const DROP = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
const WARMUP = 3;

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    if (existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** An empty program compiled like nsjail: the floor for any Bun binary's start-up. */
function buildFloor(dir: string): string {
  writeFileSync(join(dir, "floor.ts"), "process.exit(0);\n");
  const out = join(dir, "floor");
  const r = Bun.spawnSync([process.execPath, "build", "--compile", "--minify", "--bytecode", "--outfile", out, join(dir, "floor.ts")], { stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`bun build --compile failed: ${r.stderr.toString()}`);
  return out;
}

function tools(nsjail: string, floor: string): Tool[] {
  const list: Tool[] = [
    { name: "nsjail", ns: CORE, argv: [nsjail, "run", "--unshare", "user,pid,fs,uts,ipc", "--", "/bin/true"] },
    { name: "nsjail", ns: `${FULL} (default)`, argv: [nsjail, "run", "--", "/bin/true"] },
  ];
  const bwrap = ["--unshare-user", "--unshare-pid", "--unshare-uts", "--unshare-ipc", "--dev-bind", "/", "/", "--proc", "/proc"];
  if (which("bwrap")) {
    list.push({ name: "bwrap", ns: CORE, argv: ["bwrap", ...bwrap, "/bin/true"] });
    list.push({ name: "bwrap", ns: FULL, argv: ["bwrap", "--unshare-net", "--unshare-cgroup", ...bwrap, "/bin/true"] });
  }
  const unshare = ["--user", "--map-root-user", "--pid", "--fork", "--mount-proc", "--uts", "--ipc", "--mount"];
  if (which("unshare")) {
    list.push({ name: "unshare", ns: CORE, argv: ["unshare", ...unshare, "/bin/true"] });
    list.push({ name: "unshare", ns: FULL, argv: ["unshare", ...unshare, "--net", "--cgroup", "/bin/true"] });
  }
  list.push({ name: "bun floor", ns: "none (process.exit(0))", argv: [floor] });
  return list;
}

const argvFor = (s: Series) => (s.mode === "rootless" && process.getuid?.() === 0 ? [...DROP, ...s.tool.argv] : [...s.tool.argv]);

/** One timed run: wall time from spawn to reaped exit. */
function runOnce(argv: readonly string[]): { ms: number; error: string | null } {
  const t0 = performance.now();
  const r = Bun.spawnSync([...argv], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const ms = performance.now() - t0;
  const error = r.exitCode === 0 ? null : `exit ${r.exitCode ?? r.signalCode}: ${r.stderr.toString().trim().split("\n")[0]}`;
  return { ms, error };
}

/**
 * Peak RSS (kB) over 3 untimed runs under GNU time. Bun.spawnSync's own maxRSS is useless here:
 * Bun spawns with vfork semantics, and exec records the *parent's* RSS as the child's high-water
 * mark, so every small tool would report the bench's own ~33 MB.
 */
function peakRssKb(s: Series, dir: string): number | null {
  if (!existsSync("/usr/bin/time")) return null;
  const out = join(dir, "rss");
  let peak = 0;
  for (let i = 0; i < 3; i++) {
    const r = Bun.spawnSync(["/usr/bin/time", "-f", "%M", "-o", out, ...argvFor(s)], { stdout: "ignore", stderr: "ignore" });
    if (r.exitCode !== 0) return null;
    peak = Math.max(peak, Number(readFileSync(out, "utf8").trim()));
  }
  return peak;
}

/** Round-robin over all series; each round starts one tool later so none always goes first. */
function measure(series: Series[], runs: number): void {
  for (let round = 0; round < WARMUP + runs; round++) {
    for (let k = 0; k < series.length; k++) {
      const s = series[(round + k) % series.length]!;
      if (s.failure) continue;
      const r = runOnce(argvFor(s));
      if (r.error) s.failure = r.error;
      else if (round >= WARMUP) s.wallMs.push(r.ms);
    }
  }
}

function quantile(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

const median = (s: Series) => quantile(s.wallMs, 0.5);

function kids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function smapsKb(pid: number): { rss: number; pss: number; uss: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { rss: field("Rss"), pss: field("Pss"), uss: field("Private_Clean") + field("Private_Dirty") };
}

/** USS of the jail's init (PID 1 inside) and of the supervising nsjail, while /bin/sleep runs. */
async function measureInit(nsjail: string, mode: string): Promise<string> {
  const argv = [nsjail, "run", "--", "/bin/sleep", "2"];
  const proc = Bun.spawn(mode === "rootless" && process.getuid?.() === 0 ? [...DROP, ...argv] : argv, { stdout: "ignore", stderr: "ignore" });
  try {
    for (let waited = 0; waited < 1500; waited += 20) {
      await Bun.sleep(20);
      const init = kids(proc.pid).find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("nsjail-init\0"));
      if (init === undefined || kids(init).length === 0) continue;
      const i = smapsKb(init);
      const sup = smapsKb(proc.pid);
      return `init USS ${i.uss} kB (RSS ${i.rss}, PSS ${i.pss}); supervisor USS ${(sup.uss / 1024).toFixed(1)} MB (RSS ${(sup.rss / 1024).toFixed(1)} MB)`;
    }
    return "init not found (no child with argv[0] nsjail-init)";
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

const pad = (s: string, n: number) => s.padEnd(n);
const ms = (x: number) => x.toFixed(2).padStart(7);

function report(series: Series[], runs: number): void {
  console.log(`\nwall time per run, spawn → exit, ${runs} runs each (${WARMUP} warm-up runs dropped), alternating\n`);
  console.log(`${pad("mode", 9)}${pad("tool", 10)}${pad("namespaces", 42)} median      p90   peak RSS`);
  for (const s of series) {
    const rss = s.rssKb === null ? "n/a".padStart(6) : `${(s.rssKb / 1024).toFixed(1).padStart(6)} MB`;
    const cells = s.failure ? `  FAILED: ${s.failure}` : `${ms(median(s))}  ${ms(quantile(s.wallMs, 0.9))}  ${rss}`;
    console.log(`${pad(s.mode, 9)}${pad(s.tool.name, 10)}${pad(s.tool.ns, 42)}${cells}`);
  }
  console.log("\nratios of medians (target: nsjail ≤ 1.5× bwrap)");
  for (const mode of new Set(series.map((s) => s.mode))) {
    for (const ns of [CORE, FULL]) {
      const find = (name: string) => series.find((s) => s.mode === mode && s.tool.name === name && s.tool.ns.startsWith(ns) && !s.failure && (ns === FULL || !s.tool.ns.startsWith(FULL)));
      const nsj = find("nsjail");
      if (!nsj) continue;
      const parts = ["bwrap", "unshare", "bun floor"].flatMap((name) => {
        const other = name === "bun floor" ? series.find((s) => s.mode === mode && s.tool.name === name && !s.failure) : find(name);
        return other ? [`nsjail/${name} ${(median(nsj) / median(other)).toFixed(2)}×`] : [];
      });
      const bw = find("bwrap");
      const verdict = bw ? (median(nsj) <= 1.5 * median(bw) ? "  [meets target]" : "  [misses target]") : "";
      console.log(`  ${pad(mode, 9)}${pad(ns, 34)}${parts.join("   ")}${verdict}`);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "100" }, nsjail: { type: "string" } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer, got '${values.runs}'`);
  const nsjail = values.nsjail ?? new URL("../nsjail", import.meta.url).pathname;
  if (!existsSync(nsjail)) throw new Error(`${nsjail} not found: run \`bun scripts/build.ts\` first`);
  const isRoot = process.getuid?.() === 0;
  if (isRoot && !which("setpriv")) throw new Error("setpriv (util-linux) is needed for the rootless runs");
  const dir = mkdtempSync(join(tmpdir(), "nsjail-bench-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => (cleanup(), process.exit(130)));
  try {
    chmodSync(dir, 0o755); // the rootless runs exec the floor binary as uid 65534
    const list = tools(nsjail, buildFloor(dir));
    const modes = isRoot ? ["root", "rootless"] : ["rootless"];
    console.log(`nsjail start-up bench: ${new Date().toISOString().slice(0, 10)}, ${navigator.hardwareConcurrency} cpus, kernel ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}`);
    console.log(isRoot ? `rootless = ${DROP.join(" ")} <command> (setpriv's exec is in every rootless number)` : "running as a normal user: rootless only");
    for (const t of list) console.log(`  ${pad(t.name, 10)}${t.argv.join(" ")}`);
    const series: Series[] = modes.flatMap((mode) => list.map((tool) => ({ mode, tool, wallMs: [], rssKb: null, failure: null })));
    measure(series, runs);
    for (const s of series) if (!s.failure) s.rssKb = peakRssKb(s, dir);
    report(series, runs);
    console.log("\njail init memory (nsjail run -- /bin/sleep 2)");
    for (const mode of modes) console.log(`  ${pad(mode, 9)}${await measureInit(nsjail, mode)}`);
  } finally {
    cleanup();
  }
}

await main();
