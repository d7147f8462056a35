// Stage 5 (launch): the real CgroupEnv over node:fs and process.kill. Only jails with cgroup
// limits import the cgroup code, so node:fs stays off the start path of the others.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, writeSync, constants } from "node:fs";
import { SyscallError } from "../../errors.ts";
import type { CgroupEnv, CgroupFs } from "./fs.ts";

/** node:fs errors carry the errno (negative in Bun); anything else is passed on. */
function call<T>(syscall: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno;
    if (typeof errno === "number" && errno !== 0) throw new SyscallError(syscall, Math.abs(errno), path);
    throw err;
  }
}

export const nodeCgroupFs: CgroupFs = {
  read: (path) => call("read", path, () => readFileSync(path, "utf8")),
  write: (path, text) =>
    call("write", path, () => {
      // O_WRONLY alone: some cgroup files are write-only (cgroup.kill), none may be created.
      // Bun opens every file O_CLOEXEC, so a jail spawned meanwhile cannot inherit it.
      const fd = openSync(path, constants.O_WRONLY);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
    }),
  mkdir: (path) => call("mkdir", path, () => mkdirSync(path)),
  rmdir: (path) => call("rmdir", path, () => rmdirSync(path)),
  list: (path) =>
    call("readdir", path, () =>
      readdirSync(path, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name),
    ),
  exists: (path) => existsSync(path),
};

function signalErrno(err: unknown): string | undefined {
  return (err as { code?: string }).code;
}

export function nodeCgroupEnv(warn: (message: string) => void): CgroupEnv {
  return {
    fs: nodeCgroupFs,
    pid: process.pid,
    uid: process.getuid?.() ?? 0,
    kill(pid, signal) {
      try {
        process.kill(pid, signal);
      } catch (err) {
        if (signalErrno(err) !== "ESRCH") throw new SyscallError("kill", Math.abs((err as { errno?: number }).errno ?? 1), String(pid));
      }
    },
    isAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return signalErrno(err) !== "ESRCH"; // EPERM: alive, someone else's
      }
    },
    sleep: (ms) => Bun.sleepSync(ms),
    warn,
  };
}
