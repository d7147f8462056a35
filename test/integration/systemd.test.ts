// nsjail under systemd, with systemd played by the test: a notify socket that hears READY=1
// once the command runs and STOPPING=1 when the jail is stopped; the jail's own notify
// socket passed on, also across restarts; socket activation's fds and LISTEN_* as
// sd_listen_fds(3) wants them; the emperor as a Type=notify service whose vassals stay mute.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestEmperor, vassal } from "../support/emperor.ts";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, nsjail, removeNobodyCopy } from "../support/jail.ts";
import { NotifyListener } from "../support/notify-listener.ts";
import { pidsRunning, uniqueSleep } from "../support/procs.ts";

const hasPerl = existsSync("/usr/bin/perl");
requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(hasPerl, "perl (perl-base) to speak sd_notify from inside the jail");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

const scratch = mkdtempSync(join(tmpdir(), "nsjail-systemd-"));
chmodSync(scratch, 0o755);
const activated = join(scratch, "activated");
writeFileSync(activated, "socket-activated\n");
chmodSync(activated, 0o666);
afterAll(() => {
  removeNobodyCopy();
  rmSync(scratch, { recursive: true, force: true });
});

/** What a test opened: closed and killed after it, so a failed test leaves nothing behind. */
const listeners: NotifyListener[] = [];
const jails: { kill(signal?: number | NodeJS.Signals): void }[] = [];
const emperors: TestEmperor[] = [];
afterEach(async () => {
  jails.splice(0).forEach((j) => j.kill("SIGKILL"));
  for (const e of emperors.splice(0)) await e.dispose();
  listeners.splice(0).forEach((l) => l.close());
});

function listen(kind: "path" | "abstract"): NotifyListener {
  const listener = new NotifyListener(kind);
  listeners.push(listener);
  return listener;
}

/** nsjail in the background with NOTIFY_SOCKET set, as systemd starts a Type=notify unit. */
function start(as: As, address: string, args: readonly string[]) {
  const jail = Bun.spawn([...dropTo(as), binaryFor(as), "run", ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NOTIFY_SOCKET: address },
    stdout: "pipe",
    stderr: "pipe",
  });
  jails.push(jail);
  return jail;
}

/** sd_notify(3)'s wire format, from perl: one datagram, $ARGV[1], to the socket $ARGV[0]. */
const SEND = `socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die; (my $a = $ARGV[0]) =~ s/^@/\\0/; send($s, $ARGV[1], 0, pack_sockaddr_un($a)) or die "send: $!\\n"`;
/** The same, as a shell command run in the jail, to the socket NOTIFY_SOCKET names. */
const sdNotify = (message: string) => `perl -MSocket -e '${SEND}' "$NOTIFY_SOCKET" "${message}"`;

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && hasPerl && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`systemd integration as ${as}`, () => {
    for (const [kind, flags, what] of [
      ["path", [], "under the jail's init"],
      ["abstract", [], "under the jail's init"],
      ["abstract", ["--unshare", "user,fs,net"], "without a pid namespace"],
    ] as const) {
      test(`Type=notify (${kind} socket, ${what}): READY=1 once the command runs, STOPPING=1 on SIGTERM`, async () => {
        const listener = listen(kind);
        const sleep = uniqueSleep();
        const jail = start(as, listener.address, [...flags, "--", ...sleep]);
        expect(await listener.next(/READY=1/)).toBe("READY=1");
        // READY=1 means the command itself runs, not merely the jail's init.
        expect(pidsRunning(sleep.join(" "))).toHaveLength(1);
        jail.kill("SIGTERM");
        expect(await jail.exited).toBe(143);
        expect(listener.messages).toEqual(["READY=1", "STOPPING=1"]);
      }, 20_000);
    }

    test("a command that ends on its own: READY=1, then STOPPING=1 as nsjail exits with its code", async () => {
      const listener = listen("path");
      expect(await start(as, listener.address, ["--", "/bin/sh", "-c", "exit 7"]).exited).toBe(7);
      expect(listener.messages).toEqual(["READY=1", "STOPPING=1"]);
    }, 20_000);

    test("a command that cannot start: no READY=1", async () => {
      const listener = listen("path");
      expect(await start(as, listener.address, ["--", "/no/such/command"]).exited).toBeGreaterThan(0);
      expect(listener.messages).not.toContain("READY=1");
    }, 20_000);

    test("notify_socket: the command reports itself; MAINPID is not passed on", async () => {
      const listener = listen("path");
      const script = `sleep 0.3; ${sdNotify("$(printf 'READY=1\\nSTATUS=jailed and ready\\nMAINPID=2')")}; exec sleep 1000`;
      const jail = start(as, listener.address, ["--notify-socket", "--", "/bin/sh", "-c", script]);
      expect(await listener.next(/READY=1/)).toBe("READY=1\nSTATUS=jailed and ready");
      expect(listener.messages).toHaveLength(1); // nsjail sent no READY=1 of its own
      jail.kill("SIGTERM");
      expect(await jail.exited).toBe(143);
      expect(listener.messages.at(-1)).toBe("STOPPING=1");
    }, 20_000);

    test("notify_socket: NOTIFY_SOCKET inside names the jail's own socket, unreachable from the host", () => {
      const r = nsjail(as, ["run", "--notify-socket", "--", "/bin/sh", "-c", `echo "$NOTIFY_SOCKET"; ${sdNotify("READY=1")} && echo sent`]);
      expect(r.stdout).toBe("@nsjail-notify\nsent\n");
      expect(r.code).toBe(0);
      // The same name from the host's network namespace reaches nobody.
      const outside = Bun.spawnSync(["perl", "-MSocket", "-e", SEND, "@nsjail-notify", "READY=1"]);
      expect(outside.stderr.toString()).toMatch(/send: Connection refused/);
    });

    /** A command that counts its runs in `dir`, runs `body` with $n, and ends the restart
     * loop at its third run (exit 7 with one failure allowed). */
    const counted = (dir: string, body: string) =>
      `n=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${dir}/n; ${body}; [ $n -lt 3 ] || exit 7`;
    const restartFlags = ["--restart", "always", "--restart-max-failures", "1"];

    test("run --restart: one READY=1 for the service, however often the jail starts, and one STOPPING=1", async () => {
      const dir = mkdtempSync(join(scratch, "restart-"));
      chmodSync(dir, 0o777);
      const listener = listen("path");
      const jail = start(as, listener.address, ["--unshare", "user,pid,uts,ipc", ...restartFlags, "--", "/bin/sh", "-c", counted(dir, "echo run $n")]);
      expect(await jail.exited).toBe(7);
      expect(await new Response(jail.stdout).text()).toBe("run 1\nrun 2\nrun 3\n");
      expect(listener.messages).toEqual(["READY=1", "STOPPING=1"]);
    }, 20_000);

    test("run --restart with notify_socket: each new jail's own socket is passed on", async () => {
      const dir = mkdtempSync(join(scratch, "restart-"));
      chmodSync(dir, 0o777);
      const listener = listen("path");
      const body = sdNotify("STATUS=run $n $(readlink /proc/self/ns/net)");
      const jail = start(as, listener.address, ["--unshare", "user,pid,uts,ipc,net", "--notify-socket", ...restartFlags, "--", "/bin/sh", "-c", counted(dir, body)]);
      expect(await jail.exited).toBe(7);
      const statuses = listener.messages.slice(0, -1).map((m) => /^STATUS=run (\d) (net:\[\d+\])$/.exec(m));
      expect(statuses.map((m) => m?.[1])).toEqual(["1", "2", "3"]);
      expect(new Set(statuses.map((m) => m?.[2])).size).toBe(3); // three jails, three networks
      expect(listener.messages.at(-1)).toBe("STOPPING=1");
    }, 20_000);

    test("the emperor: READY=1 once its vassals are launched, STOPPING=1 at SIGTERM; no vassal sees NOTIFY_SOCKET", async () => {
      const listener = listen("path");
      const sleep = uniqueSleep();
      const file = vassal(["/bin/sh", "-c", `echo "NOTIFY=\${NOTIFY_SOCKET-none}"; exec ${sleep.join(" ")}`], 'keep_env = ["NOTIFY_SOCKET"]');
      const e = new TestEmperor(as, { "v.toml": file }, [], `export NOTIFY_SOCKET='${listener.address}'; `);
      emperors.push(e);
      expect(await listener.next(/READY=1/)).toBe("READY=1");
      await e.waitEvent("v", "start");
      await e.waitOutput("v| NOTIFY=none");
      e.proc.kill("SIGTERM");
      expect(await e.proc.exited).toBe(0);
      expect(pidsRunning(sleep.join(" "))).toEqual([]);
      expect(listener.messages).toEqual(["READY=1", "STOPPING=1"]);
    }, 20_000);

    describe("socket activation", () => {
      /** nsjail started as systemd starts it: LISTEN_PID is its own pid, fd 3 the socket. */
      const activate = (flags: readonly string[], listenPid = "$$") =>
        nsjail(as, ["run", ...flags, "--", "/bin/sh", "-c", 'echo "$$ $LISTEN_PID $LISTEN_FDS $LISTEN_FDNAMES"; cat <&3; cat <&4'], {
          shell: `export LISTEN_PID=${listenPid} LISTEN_FDS=1 LISTEN_FDNAMES=web; exec 3<${activated} 4</dev/null; `,
        });

      for (const [name, flags, pid] of [
        ["under the jail's init", [], "2"],
        ["as PID 1", ["--as-pid-1"], "1"],
        ["without a pid namespace", ["--unshare", "user,fs,net"], null],
        ["in exec mode", ["--exec"], "2"],
      ] as const) {
        test(`${name}: fd 3 arrives and LISTEN_PID is the command's own pid`, () => {
          const r = activate(flags);
          const [own, listenPid, fds, names] = r.stdout.split("\n")[0]!.split(" ");
          expect(listenPid).toBe(own);
          if (pid !== null) expect(own).toBe(pid);
          expect([fds, names]).toEqual(["1", "web"]);
          expect(r.stdout).toContain("socket-activated\n");
          expect(r.stderr).toMatch(/4: Bad file descriptor/); // only the fds LISTEN_FDS names
          expect(r.code).not.toBe(255);
        });
      }

      test("a listening TCP socket on the host serves from a jail with no network of its own", async () => {
        // systemd's part, in perl: listen on a free port, as fd 3, then exec nsjail with LISTEN_*.
        const systemd = [
          "$^F = 3; socket(my $l, PF_INET, SOCK_STREAM, 0) or die; bind($l, sockaddr_in(0, INADDR_LOOPBACK)) or die;",
          "listen($l, 5) or die; fileno($l) == 3 or die; my ($port) = sockaddr_in(getsockname($l)); print \"PORT=$port\\n\"; STDOUT->flush;",
          "$ENV{LISTEN_PID} = $$; $ENV{LISTEN_FDS} = 1; exec @ARGV",
        ].join(" ");
        const app = 'open(my $l, "+<&=", 3) or die; accept(my $c, $l) or die "accept: $!"; print $c "served from $ENV{LISTEN_FDS} fd, net $ARGV[0]\\n"';
        const jail = Bun.spawn(
          [...dropTo(as), "perl", "-MSocket", "-MIO::Handle", "-e", systemd, binaryFor(as), "run", "--", "/bin/sh", "-c", `exec perl -e '${app}' "$(readlink /proc/self/ns/net)"`],
          { stdout: "pipe", stderr: "pipe" },
        );
        const first = new TextDecoder().decode((await jail.stdout.getReader().read()).value);
        const port = Number(/PORT=(\d+)/.exec(first)?.[1]);
        const reply = await new Promise<string>((resolve, reject) => {
          let text = "";
          const client = connect(port, "127.0.0.1");
          client.on("data", (d) => (text += d)).on("end", () => resolve(text)).on("error", reject);
        });
        const hostNet = readlinkSync("/proc/self/ns/net");
        expect(reply).toMatch(/^served from 1 fd, net net:\[\d+\]\n$/);
        expect(reply).not.toContain(hostNet);
        expect(await jail.exited).toBe(0);
      });

      test("LISTEN_PID of another process: nothing is passed and no LISTEN_* reaches the jail", () => {
        const r = activate([], "1");
        expect(r.stdout.split("\n")[0]).toBe("2   ");
        expect(r.stderr).toMatch(/3: Bad file descriptor/);
      });

      test("a malformed LISTEN_FDS meant for nsjail is one line and exit 2", () => {
        const r = nsjail(as, ["run", "--", "/bin/true"], { shell: "export LISTEN_PID=$$ LISTEN_FDS=two; " });
        expect(r.stderr).toBe("nsjail: LISTEN_FDS: in nsjail's environment: expected a count of passed fds from 1 to 65536, got 'two'\n");
        expect(r.code).toBe(2);
      });

      test("LISTEN_FDS naming an fd nsjail was not given is refused before the jail starts", () => {
        const r = nsjail(as, ["run", "--", "/bin/true"], { shell: "export LISTEN_PID=$$ LISTEN_FDS=3; exec 3</dev/null 4</dev/null; " });
        // fd 5 is not the caller's: unopened, or one Bun opened for itself.
        expect(r.stderr).toMatch(/^nsjail: LISTEN_FDS=3: fd 5 is (not open in nsjail's caller|nsjail's own \(.+\), not the caller's)\n$/);
        expect(r.code).toBe(2);
      });
    });
  });
}
