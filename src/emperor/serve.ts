// Emperor (many jails): `nsjail emperor DIR` put together — settings, the directory watch
// (inotify through fs.watch, plus a periodic rescan), signals, the control socket and each
// vassal's output — until SIGTERM or SIGINT stops every vassal and it exits 0.
import { closeSync, existsSync, openSync, statSync, watch } from "node:fs";
import { join, resolve } from "node:path";
import { readHostFacts } from "../config/host.ts";
import { UsageError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { processEvents } from "../supervisor/events.ts";
import { Reaper } from "../supervisor/reaper.ts";
import { O_CLOEXEC } from "../sys/constants.ts";
import { listenControl } from "./control.ts";
import { Emperor } from "./emperor.ts";
import { launchVassal, loadVassal, type EmperorJail } from "./launch.ts";
import { logFileOutput, prefixedOutput, type VassalOutput } from "./output.ts";
import { createEventLog, type EventLog, type LogFormat } from "./report.ts";
import { scanDir } from "./scan.ts";
import { loadSettings, SETTINGS_FILE, type EmperorSettings } from "./settings.ts";

export interface EmperorOptions {
  readonly dir: string;
  readonly control: string;
  readonly logFormat: LogFormat;
}

/** inotify events come in bursts (an editor's rename is three of them): one rescan each. */
const SETTLE_MS = 20;

const writeStderr = (text: string) => void (require("node:fs") as typeof import("node:fs")).writeSync(2, text);

/** launch/ and supervisor/ speak Logger; here every line is an event. */
function loggerOf(log: EventLog): Logger {
  const at = (level: string) => (msg: string) => log.event(level, null, msg);
  return { debug: () => {}, info: at("info"), warn: at("warn"), error: at("error") };
}

export async function serveEmperor(opts: EmperorOptions): Promise<number> {
  const [{ linuxSys: sys }, { loadNative }] = await Promise.all([import("../sys/linux-sys.ts"), import("../sys/ffi.ts")]);
  sys.setDumpable(false); // from the first instant: no jail of our uid may ptrace us
  const dir = resolve(opts.dir);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`emperor: ${dir} is not a directory`);
  const host = readHostFacts(sys.readFile);
  let settings: EmperorSettings = loadSettings(dir, host, sys.readFile, existsSync);
  const log = createEventLog(opts.logFormat, writeStderr);
  const logger = loggerOf(log);
  const stdinFd = openSync("/dev/null", O_CLOEXEC);
  const ctx = { sys, host, imageFd: loadNative().imageFd, stdinFd, reaper: new Reaper(sys, processEvents), events: processEvents, log: logger };
  const outputs = new Map<string, VassalOutput>();
  const outputFor = (name: string): VassalOutput => {
    let out = outputs.get(name);
    if (out === undefined) {
      out = settings.logDir === null ? prefixedOutput(sys, name, writeStderr) : logFileOutput(settings.logDir, name);
      outputs.set(name, out);
    }
    return out;
  };
  const emperor = new Emperor({
    dir,
    events: processEvents,
    log,
    now: Date.now,
    scan: () => scanDir(dir),
    load: (file) => loadVassal(sys, file, { restart: "always", ...settings.defaults }, host, sys.readFile),
    launch: (name, jail) => launchVassal(ctx, jail as EmperorJail, outputFor(name).fd),
    forget: (name) => {
      outputs.get(name)?.close();
      outputs.delete(name);
    },
  });
  const closeControl = await listenControl(opts.control, emperor);
  let pending = false;
  let cancelPending = () => {};
  const soon = () => {
    if (pending) return;
    pending = true;
    cancelPending = processEvents.setTimer(SETTLE_MS, () => ((pending = false), emperor.rescan()));
  };
  const watcher = watch(dir, soon);
  const timer = setInterval(() => emperor.rescan(), settings.rescanS * 1000);
  const onHup = () => {
    try {
      settings = loadSettings(dir, host, sys.readFile, existsSync);
    } catch (err) {
      log.event("invalid", null, `${join(dir, SETTINGS_FILE)}: ${(err as Error).message.replaceAll("\n", "; ")}: the old settings are kept`);
    }
    emperor.reloadAll();
  };
  log.event("emperor_start", null, `watching ${dir} (control ${opts.control})`, { dir, control: opts.control, pid: process.pid });
  emperor.rescan();
  processEvents.on("SIGHUP", onHup);
  const signal = await new Promise<string>((done) => {
    processEvents.on("SIGTERM", () => done("SIGTERM"));
    processEvents.on("SIGINT", () => done("SIGINT"));
  });
  log.event("emperor_stop", null, `${signal}: stopping every vassal`);
  processEvents.off("SIGHUP", onHup);
  watcher.close();
  clearInterval(timer);
  cancelPending();
  await emperor.shutdown();
  closeControl();
  for (const out of outputs.values()) out.close();
  closeSync(stdinFd);
  log.event("emperor_exit", null, "every vassal stopped");
  return 0;
}
