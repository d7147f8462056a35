// Stage 1 (config): the file-system keys as `nsjail run` reads them — through the schema, with
// the CLI flags, the rootfs's own users, and without loading config/fs/ when a jail has none.
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { Command } from "commander";
import { flagsToRaw } from "../../../../src/cli/flags-to-raw.ts";
import { addConfigFlags } from "../../../../src/cli/flags.ts";
import { resolveConfig } from "../../../../src/config/resolve.ts";
import { NO_FS } from "../../../../src/config/schema/fs.ts";
import { fakePaths } from "../../../support/fake-paths.ts";
import { configErrorOf, configOf, fakeHost, issuesOf, rootHost } from "../fake-host.ts";

const CMD = 'command = ["/bin/true"]\n';
const SRC = resolve(import.meta.dir, "../../../../src");

function viaFlags(argv: string[], file: string | null = null) {
  const cmd = addConfigFlags(new Command("run")).argument("[command...]").exitOverride();
  cmd.parse(argv, { from: "user" });
  return resolveConfig({ file, cli: flagsToRaw(cmd.opts()), command: cmd.args }, fakeHost());
}

describe("the fs keys through validateConfig", () => {
  test("a jail without them gets NO_FS", () => {
    expect(configOf(CMD).fs).toBe(NO_FS);
  });

  test("namespace = ROOT:HOST sets the rootfs and the hostname", () => {
    const c = configOf(`${CMD}namespace = "/ns/001:mybeautifulhostname"`);
    expect(c.fs.rootfs).toBe("/ns/001");
    expect(c.hostname).toBe("mybeautifulhostname");
  });

  test("uid and gid names resolve in the rootfs, numbers stay numbers", () => {
    // uwsgi is in fake-paths' rootfs only; alice only on the fake host.
    const c = configOf(`${CMD}rootfs = "/ns/001"\nuid = "uwsgi"\ngid = "uwsgi"`);
    expect([c.uid, c.gid]).toEqual([1000, 1000]);
    expect(configOf(`${CMD}uid = "alice"`).uid).toBe(1000);
    expect(issuesOf(`${CMD}rootfs = "/ns/001"\nuid = "alice"`)).toEqual([{ path: "uid", message: "no user named 'alice' in '/ns/001/etc/passwd'", line: 3 }]);
    expect(configOf(`${CMD}rootfs = "/ns/001"\nuid = 7`).uid).toBe(7);
  });

  test("supplementary group names resolve in the rootfs as gid does", () => {
    const toml = `${CMD}rootfs = "/ns/001"\ngid = 0\ngid_map = ["0:100000:65536"]\ngroups = ["uwsgi", "nogroup", 7]`;
    expect(configOf(toml, rootHost).groups).toEqual([1000, 65534, 7]);
    expect(issuesOf(`${CMD}rootfs = "/ns/001"\ngid = 0\ngid_map = ["0:100000:65536"]\ngroups = [7, "users"]`, rootHost)).toEqual([
      { path: "groups[1]", message: "no group named 'users' in '/ns/001/etc/group'", line: 5 },
    ]);
  });

  test("an unknown name does not cascade into the map rules", () => {
    expect(issuesOf(`${CMD}rootfs = "/ns/001"\nuid = "bob"\nuid_map = ["0:1000:1"]`).map((i) => i.path)).toEqual(["uid"]);
  });

  test("the rootfs is resolved before its users are read", () => {
    const paths = { ...fakePaths(), realpath: (p: string) => (p === "/srv/link" ? "/ns/001" : p) };
    const seen: string[] = [];
    const host = fakeHost({ paths: { ...paths, idIn: (root, table, name) => (seen.push(`${root} ${table} ${name}`), 1000) } });
    configOf(`${CMD}rootfs = "/srv/link"\nuid = "uwsgi"`, host);
    expect(seen).toEqual(["/ns/001 passwd uwsgi"]);
  });

  test("exec mode cannot run post_spawn hooks or read a file's fd", () => {
    const issues = issuesOf(`${CMD}exec = true\nhook_post_spawn = ["exec:true"]\nmount = [{ type = "file", dst = "/f", fd = 3 }]`, rootHost);
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ["hook_post_spawn", "needs nsjail to stay as supervisor: not with exec"],
      ["mount[0]", "a file from an fd is not passed to exec mode's image: give content instead"],
    ]);
  });

  test("symlinks and dirs only where nsjail made the file system", () => {
    const rootfs = `${CMD}rootfs = "/ns/001"\nmount = [{ type = "dir", dst = "/x" }, { type = "tmpfs", dst = "/tmp" }, { type = "symlink", target = "a", dst = "/tmp/a" }]`;
    expect(issuesOf(rootfs).map((i) => [i.path, i.message])).toEqual([["mount[0]", "would write into /ns/001 (nsjail never writes it): put it below a tmpfs mount"]]);
    expect(configOf(`${CMD}mount = [{ type = "dir", dst = "/x" }]`).fs.mounts).toHaveLength(1);
  });
});

describe("mount flags", () => {
  test("keep their command-line order across kinds, after the file's mounts", () => {
    const file = resolve(import.meta.dir, "../../../fixtures/plan-configs/rootfs-rw.toml");
    const c = viaFlags(["--bind", "/a:/data/a", "--tmpfs", "/t", "--ro-bind=/b", "--", "/bin/true"], file);
    expect(c.fs.mounts.map((m) => `${m.kind} ${m.dst}`).slice(-3)).toEqual(["bind /data/a", "tmpfs /t", "bind /b"]);
    expect(c.fs.mountKeys.slice(-4)).toEqual(["mount[4]", "--bind[0]", "--tmpfs[0]", "--ro-bind[0]"]);
  });

  test("a bad one is reported under its flag and index, without the file's name", () => {
    const err = configErrorOf(() => viaFlags(["--ro-bind", "/a", "--ro-bind", "relative:/b", "--", "/bin/true"]));
    expect(err.message).toBe("--ro-bind[1].src: must be an absolute path, got 'relative'");
  });
});

describe("a jail without file-system keys does not load their code", () => {
  const LAZY = ["config/fs/", "config/host-paths.ts", "plan/fs/root.ts", "plan/fs/mounts.ts", "plan/fs/hooks.ts", "launch/host-hooks.ts"];

  test("no static import chain from src/main.ts reaches it", async () => {
    const transpiler = new Bun.Transpiler({ loader: "ts" });
    const seen = new Set<string>();
    const walk = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const imp of transpiler.scanImports(await Bun.file(file).text())) {
        if (imp.kind === "import-statement" && imp.path.startsWith(".")) await walk(resolve(file, "..", imp.path));
      }
    };
    await walk(`${SRC}/main.ts`);
    const reached = [...seen].map((f) => f.slice(SRC.length + 1)).filter((f) => LAZY.some((l) => f.startsWith(l)));
    expect(reached).toEqual([]);
  });

  test("validating and planning such a jail requires none of it", () => {
    const script = `
      import { resolveConfig } from "${SRC}/config/resolve.ts";
      import { readHostFacts } from "${SRC}/config/host.ts";
      import { buildPlan } from "${SRC}/plan/build.ts";
      const host = readHostFacts();
      buildPlan(resolveConfig({ file: null, cli: { hostname: "x" }, command: ["/bin/true"] }, host), host);
      const loaded = () => Object.keys(require.cache).filter((k) => ${JSON.stringify(LAZY)}.some((l) => k.includes("/src/" + l)));
      console.log(JSON.stringify(loaded()));
      buildPlan(resolveConfig({ file: null, cli: { rootfs: "/tmp" }, command: ["/bin/true"] }, host), host);
      console.log(JSON.stringify(loaded().length > 0));`;
    const r = Bun.spawnSync([process.execPath, "-e", script]);
    expect(r.stderr.toString()).toBe("");
    expect(r.stdout.toString()).toBe("[]\ntrue\n");
  });
});
