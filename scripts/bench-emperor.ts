// Tooling: emperor benchmark (docs/performance.md). Time until 200 trivial vassals run, the
// emperor's RSS and its vassal inits' USS, the reload latency of one vassal, and how many
// short-lived jails one emperor starts back to back, against a shell loop of bwrap/unshare.
// `bun scripts/bench-emperor.ts [--vassals N] [--seconds S] [--nsjail PATH]`
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const NS = '["user", "pid", "fs", "uts", "ipc"]';
const DROP = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

interface Emp {
  readonly proc: ReturnType<typeof Bun.spawn>;
  readonly dir: string;
  readonly control: string;
  readonly prefix: readonly string[];
}

function startEmperor(nsjail: string, root: string, mode: string, files: Record<string, string>): Emp {
  const dir = join(root, `vassals-${mode}-${Date.now()}`);
  mkdirSync(dir, { mode: 0o755 });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o644 });
  const prefix = mode === "rootless" ? DROP : [];
  const control = join(root, `ctl-${mode}-${Date.now()}`, "e.sock");
  const proc = Bun.spawn([...prefix, nsjail, "emperor", dir, "--control", control], { stdout: "ignore", stderr: "ignore" });
  return { proc, dir, control, prefix };
}

async function stopEmperor(e: Emp): Promise<void> {
  e.proc.kill("SIGTERM");
  await e.proc.exited;
}

function status(nsjail: string, e: Emp): { name: string; pid: number | null; restarts: number; state: string }[] {
  const r = Bun.spawnSync([...e.prefix, nsjail, "emperor", "status", "--json", "--control", e.control], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`status: ${r.stderr.toString().trim()}`);
  return JSON.parse(r.stdout.toString());
}

function cmdlines(): string[] {
  const out: string[] = [];
  for (const name of readdirSync("/proc")) {
    if (name < "0" || name > "9") continue;
    try {
      out.push(readFileSync(`/proc/${name}/cmdline`, "latin1"));
    } catch {
      // gone
    }
  }
  return out;
}

async function until(what: string, ok: () => boolean, ms: number): Promise<number> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > ms) throw new Error(`gave up waiting for ${what}`);
    await Bun.sleep(5);
  }
  return performance.now() - t0;
}

function smaps(pid: number): { rss: number; uss: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const f = (n: string) => Number(new RegExp(`^${n}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { rss: f("Rss"), uss: f("Private_Clean") + f("Private_Dirty") };
}

async function manyVassals(nsjail: string, root: string, mode: string, n: number): Promise<string> {
  const tag = `${90_000 + Math.floor(Math.random() * 9000)}`;
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`v${i}.toml`] = `command = ["/bin/sleep", "${tag}"]\nunshare = ${NS}\nhostname = "v${i}"\n`;
  const t0 = performance.now();
  const e = startEmperor(nsjail, root, mode, files);
  try {
    const want = `/bin/sleep\0${tag}\0`;
    await until(`${n} vassals`, () => cmdlines().filter((c) => c === want).length === n, 60_000);
    const allMs = performance.now() - t0;
    const emp = smaps(e.proc.pid);
    await Bun.sleep(2000);
    const settled = smaps(e.proc.pid);
    const inits = status(nsjail, e).map((v) => smaps(v.pid!).uss);
    const meanUss = inits.reduce((a, b) => a + b, 0) / inits.length;
    // Reload latency: an edit of one vassal until its new command runs.
    const newTag = `${Number(tag) + 10_000}`;
    const r0 = performance.now();
    writeFileSync(join(e.dir, "v0.toml"), `command = ["/bin/sleep", "${newTag}"]\nunshare = ${NS}\nhostname = "v0b"\n`);
    await until("the reloaded vassal", () => cmdlines().includes(`/bin/sleep\0${newTag}\0`), 20_000);
    const reloadMs = performance.now() - r0;
    return `${n} vassals running after ${allMs.toFixed(0)} ms (from exec of nsjail emperor); emperor RSS ${(emp.rss / 1024).toFixed(1)} MiB then, ${(settled.rss / 1024).toFixed(1)} MiB 2 s later (USS ${(settled.uss / 1024).toFixed(1)} MiB); vassal init USS mean ${meanUss.toFixed(0)} kB; reload of one vassal ${reloadMs.toFixed(0)} ms`;
  } finally {
    await stopEmperor(e);
  }
}

async function backToBack(nsjail: string, root: string, mode: string, seconds: number, vassals: number): Promise<string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < vassals; i++) files[`t${i}.toml`] = `command = ["/bin/true"]\nunshare = ${NS}\nrestart = "always"\n`;
  const e = startEmperor(nsjail, root, mode, files);
  try {
    await until("the emperor's socket", () => existsSync(e.control), 10_000);
    await Bun.sleep(500); // warm up
    const count = () => status(nsjail, e).reduce((a, v) => a + v.restarts, 0);
    const c0 = count();
    const t0 = performance.now();
    await Bun.sleep(seconds * 1000);
    const rate = ((count() - c0) * 1000) / (performance.now() - t0);
    return `${rate.toFixed(0)} jails/s (${vassals} vassals of /bin/true, restart = "always", ${seconds} s)`;
  } finally {
    await stopEmperor(e);
  }
}

function shellLoop(mode: string, argv: readonly string[], n: number): string {
  const quoted = argv.map((a) => `'${a}'`).join(" ");
  const prefix = mode === "rootless" ? DROP : [];
  const t0 = performance.now();
  const r = Bun.spawnSync([...prefix, "/bin/sh", "-c", `i=0; while [ $i -lt ${n} ]; do ${quoted} || exit 1; i=$((i+1)); done`], { stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) return `FAILED: ${r.stderr.toString().trim().split("\n")[0]}`;
  return `${((n * 1000) / (performance.now() - t0)).toFixed(0)} jails/s`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { vassals: { type: "string", default: "200" }, seconds: { type: "string", default: "5" }, nsjail: { type: "string" } } });
  const nsjail = values.nsjail ?? new URL("../nsjail", import.meta.url).pathname;
  if (!existsSync(nsjail)) throw new Error(`${nsjail} not found: run \`bun scripts/build.ts\` first`);
  const root = mkdtempSync(join(tmpdir(), "nsjail-bench-emperor-"));
  chmodSync(root, 0o777);
  const copy = join(root, "nsjail"); // uid 65534 may not reach the checkout
  writeFileSync(copy, readFileSync(nsjail), { mode: 0o755 });
  const modes = process.getuid?.() === 0 ? ["root", "rootless"] : ["rootless"];
  const bwrap = ["bwrap", "--unshare-user", "--unshare-pid", "--unshare-uts", "--unshare-ipc", "--dev-bind", "/", "/", "--proc", "/proc", "/bin/true"];
  const unshare = ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc", "--uts", "--ipc", "--mount", "/bin/true"];
  console.log(`\nemperor bench: ${navigator.hardwareConcurrency} cpus, kernel ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}; namespaces user,pid,mnt,uts,ipc`);
  try {
    for (const mode of modes) {
      console.log(`  ${mode}: ${await manyVassals(copy, root, mode, Number(values.vassals))}`);
      console.log(`  ${mode}: back to back, one emperor: ${await backToBack(copy, root, mode, Number(values.seconds), 4)}`);
      console.log(`  ${mode}: back to back, shell loop of bwrap: ${shellLoop(mode, bwrap, 500)}; of unshare: ${shellLoop(mode, unshare, 500)}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
