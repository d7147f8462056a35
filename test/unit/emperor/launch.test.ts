// Emperor (many jails): what a vassal's config may see of the emperor's environment, and the
// `run`-only keys a vassal file is refused for, against a recording Sys and files in memory.
import { expect, test } from "bun:test";
import { loadVassal, vassalHost } from "../../../src/emperor/launch.ts";
import { ConfigError } from "../../../src/errors.ts";
import { FakeSys } from "../../support/fake-sys.ts";
import { fixedHost } from "../../support/plans.ts";

/** The emperor as systemd starts a Type=notify, socket-activated service. */
const emperor = {
  ...fixedHost(0),
  env: { TERM: "xterm", NOTIFY_SOCKET: "/run/systemd/notify", LISTEN_PID: "4242", LISTEN_FDS: "1", LISTEN_FDNAMES: "web", HOME: "/root" },
};

function load(text: string) {
  const readFile = (path: string) => {
    if (path !== "/v/app.toml") throw Object.assign(new Error(`${path}: ENOENT`), { code: "ENOENT" });
    return new TextEncoder().encode(`command = ["/bin/true"]\n${text}\n`);
  };
  return loadVassal(new FakeSys(), "/v/app.toml", {}, vassalHost(emperor), readFile);
}

test("systemd's variables are the emperor's: a vassal that keeps them finds none", () => {
  expect(vassalHost(emperor).env).toEqual({ TERM: "xterm", HOME: "/root" });
  const { config } = load('keep_env = ["NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "HOME"]');
  expect(config.env.filter(([k]) => /^(NOTIFY|LISTEN)_/.test(k))).toEqual([]);
  expect(config.env).toContainEqual(["HOME", "/root"]);
  // Socket activation's fds stay with the emperor: no vassal takes fd 3.
  expect([config.listenFds, config.passFds]).toEqual([0, []]);
});

test("a vassal is refused what only `run` offers: a terminal, a notify socket of its own", () => {
  let err: unknown;
  try {
    load("pty = true\nnotify_socket = true");
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).issues.map((i) => [i.path, i.message])).toEqual([
    ["pty", "a vassal has no terminal (its output goes to the emperor's log): not with pty"],
    ["notify_socket", "the emperor alone speaks to systemd: not with notify_socket"],
  ]);
});
