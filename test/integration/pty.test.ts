// `--pty` under a real terminal: util-linux `script` plays the caller's terminal, our pipe its
// keyboard. Every check looks from inside the jail (its tty, its session, its jobs) or at the
// caller's terminal as the user would find it afterwards.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { type As, binaryFor, dropTo, removeNobodyCopy } from "../support/jail.ts";
import { waitFor } from "../support/procs.ts";
import { ScriptSession } from "../support/script-session.ts";

const hasTools = existsSync("/usr/bin/script") && existsSync("/usr/bin/perl");
requireHost(host.binary, "a built ./nsjail (npm run build)");
requireHost(hasTools, "script (bsdutils) and perl to drive and probe a terminal");
requireHost(host.root, "root (CI runs the suite as root)");
requireHost(host.rootless, "unprivileged user namespaces and setpriv");

const scratch = mkdtempSync(join(tmpdir(), "nsjail-pty-"));
chmodSync(scratch, 0o777); // the rootless run writes its flag here too
afterAll(() => {
  removeNobodyCopy();
  rmSync(scratch, { recursive: true, force: true });
});

const PROMPT = /jail> /;

/** Pids whose command line or environment holds `text`: the jail's processes inherit --env. */
function processesWith(text: string): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return [`/proc/${pid}/cmdline`, `/proc/${pid}/environ`].some((f) => readFileSync(f, "latin1").includes(text));
      } catch {
        return false;
      }
    })
    .map(Number);
}
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `nsjail run --pty … -- <command>` for `as`, as a shell word list. */
function run(as: As, command: string, flags: readonly string[] = []): string {
  return [binaryFor(as), "run", "--pty", "--env", "PS1=jail> ", ...flags, "--", ...command.split(" ")].map(q).join(" ");
}

/** Every terminal a test opened, with all it started, is killed after the test, passed or
 * failed: a jailed shell waiting at its prompt would otherwise run on (and trip every
 * hygiene check on the machine). If the runner itself dies, script's pdeathsig does it. */
const opened: ScriptSession[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.dispose()));
});

function terminal(shell: string, as: As): ScriptSession {
  const s = new ScriptSession(shell, dropTo(as));
  opened.push(s);
  return s;
}

/** A terminal whose shell runs `before`, then nsjail, then prints nsjail's code and `after`. */
function session(as: As, jail: string, before = "", after = ""): ScriptSession {
  return terminal(`${before}${jail}; echo NSJAIL=$?; ${after}`, as);
}

for (const as of ["root", "nobody"] as const satisfies readonly As[]) {
  const enabled = host.binary && hasTools && (as === "root" ? host.root : host.rootless);

  describe.skipIf(!enabled)(`--pty as ${as}`, () => {
    test("the command's stdio is a new terminal of its own, sized like the caller's", async () => {
      const s = session(as, run(as, "/bin/sh -i"), "stty rows 21 cols 73; echo CALLER=$(tty); ");
      const caller = (await s.waitFor(/CALLER=(\S+)/))[1];
      await s.waitFor(PROMPT);
      s.send('echo "TTY=$(tty) FDS=$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2 | sort -u | wc -l) SIZE=$(stty size)"\n');
      const [, tty, fds, size] = (await s.waitFor(/TTY=(\/dev\/pts\/\d+) FDS=(\d+) SIZE=(\d+ \d+)/))!;
      expect(tty).not.toBe(caller);
      expect(fds).toBe("1");
      expect(size).toBe("21 73");
      s.send("exit 3\n");
      await s.waitFor(/NSJAIL=3/);
      expect(await s.exited()).toBe(0);
    }, 20_000);

    test("the command leads its own session, with the pty as its controlling terminal", async () => {
      const s = session(as, run(as, "/bin/sh -i"));
      await s.waitFor(PROMPT);
      s.send('read -r stat < /proc/$$/stat; echo "PID=$$ STAT=$stat"\n');
      const [, pid, stat] = (await s.waitFor(/PID=(\d+) STAT=([^\r\n]+)/))!;
      // After "pid (comm) ": state ppid pgrp session tty_nr tpgid …
      const [, , pgrp, sid, ttyNr, tpgid] = stat!.slice(stat!.lastIndexOf(") ") + 2).split(" ");
      expect([pgrp, sid, tpgid]).toEqual([pid, pid, pid]);
      expect(Number(ttyNr)).toBeGreaterThan(0);
      s.send("exit\n");
      await s.waitFor(/NSJAIL=0/);
      await s.exited();
    }, 20_000);

    test("Ctrl-Z stops the jailed shell's foreground job and fg resumes it", async () => {
      const s = session(as, run(as, "/bin/sh -i"));
      await s.waitFor(PROMPT);
      s.send("sleep 2\n");
      await Bun.sleep(300);
      s.send("\x1a");
      await s.waitFor(/Stopped\s+sleep 2/);
      s.send('ps -o stat= -C sleep; fg; echo "RESUMED=$?"\n');
      expect((await s.waitFor(/\n(T)\S*\r?\n/))[1]).toBe("T");
      await s.waitFor(/RESUMED=0/);
      s.send("exit\n");
      await s.waitFor(/NSJAIL=0/);
      await s.exited();
    }, 20_000);

    test("a resize of the caller's terminal reaches the jail (SIGWINCH → TIOCSWINSZ)", async () => {
      const flag = join(scratch, `resize-${as}`);
      const resizer = `(while [ ! -e ${flag} ]; do sleep 0.05; done; stty rows 33 cols 101 </dev/tty) & `;
      const s = session(as, run(as, "/bin/sh -i"), `stty rows 20 cols 70; ${resizer}`);
      await s.waitFor(PROMPT);
      writeFileSync(flag, "");
      s.send('i=0; until [ "$(stty size)" = "33 101" ] || [ $i -gt 50 ]; do sleep 0.1; i=$((i+1)); done; echo "SIZE=$(stty size)"\n');
      expect((await s.waitFor(/SIZE=(\d+ \d+)/))[1]).toBe("33 101");
      s.send("exit\n");
      await s.waitFor(/NSJAIL=0/);
      await s.exited();
    }, 20_000);

    test("TIOCSTI inside reaches only the jail's terminal, never the caller's", async () => {
      // After nsjail, the caller's shell reads whatever input its terminal holds, for 0.5 s.
      const pending = 'stty -icanon min 0 time 5; echo "PENDING=[$(dd bs=256 count=1 2>/dev/null)]"';
      const s = session(as, `CALLER_TTY=$(tty) ${run(as, "/bin/sh -i", ["--keep-env", "CALLER_TTY"])}`, "", pending);
      await s.waitFor(PROMPT);
      // Into its own terminal: the jailed shell runs the injected line.
      s.send(`perl -e 'ioctl(STDIN, 0x5412, $_) or die "own: $!" for split //, "echo \\$((6*7))-INJECTED\\n"'\n`);
      await s.waitFor(/42-INJECTED/);
      // The caller's terminal by name: not openable, or open but not its controlling terminal.
      s.send(`perl -e 'open(my $t, "+<", $ENV{CALLER_TTY}) or die "OPEN-\${!}\\n"; my $c = "x"; ioctl($t, 0x5412, $c) or die "STI-\${!}\\n"; print "REACHED\\n"'\n`);
      const refused = (await s.waitFor(/\n((OPEN|STI)-[A-Z][^\r\n]*)/))[1];
      // root's caller terminal is root's; the rootless one is the jail's uid's, but not its
      // controlling terminal.
      expect(refused).toBe(as === "root" ? "OPEN-Permission denied" : "STI-Operation not permitted");
      s.send("exit 0\n");
      await s.waitFor(/NSJAIL=0/);
      expect((await s.waitFor(/PENDING=\[([^\]]*)\]/))[1]).toBe("");
      expect(s.output).not.toMatch(/\nREACHED/);
      await s.exited();
    }, 20_000);

    test("run --restart: the new jail gets the same terminal, and the caller's comes back at the end", async () => {
      const settings = 'echo "STTY=$(stty -g)"';
      const s = session(as, run(as, "/bin/sh -i", ["--restart", "on-failure", "--restart-delay", "10"]), `${settings}; `, settings);
      await s.waitFor(PROMPT);
      s.send('echo "FIRST=$(tty) PID=$$"; exit 3\n');
      const first = await s.waitFor(/FIRST=(\/dev\/pts\/\d+) PID=(\d+)/);
      await s.waitFor(/restarting it/);
      await s.waitFor(PROMPT);
      // Keys reach the second shell, and its output the caller: the relay outlived the first.
      s.send('echo "SECOND=$(tty) PID=$$"; exit 0\n');
      expect((await s.waitFor(/SECOND=(\/dev\/pts\/\d+) PID=(\d+)/)).slice(1)).toEqual(first.slice(1));
      await s.waitFor(/NSJAIL=0/);
      expect(await s.exited()).toBe(0);
      const seen = [...s.output.matchAll(/STTY=(\S+)/g)].map((m) => m[1]);
      expect(seen).toHaveLength(2);
      expect(seen[1]).toBe(seen[0]);
    }, 20_000);

    test("closing the caller's terminal (a hang-up) ends the jail and nsjail", async () => {
      const mark = `MARK=${process.pid}-${Math.random().toString(36).slice(2)}`;
      const s = session(as, run(as, "/bin/sh -i", ["--env", mark]));
      await s.waitFor(PROMPT);
      s.send("sleep 1000\n");
      await Bun.sleep(300);
      s.hangUp();
      await waitFor("nsjail and its jail to end", () => processesWith(mark).length === 0);
    }, 20_000);

    test("input from a pipe reaches the jail's terminal, and its end arrives as the end-of-file key", () => {
      const script = 'read -r line; echo "GOT=$line TTY=$(tty)"; cat; echo "DONE=$?"';
      const r = Bun.spawnSync([...dropTo(as), binaryFor(as), "run", "--pty", "--", "/bin/sh", "-c", script], {
        stdin: Buffer.from("hello\nrest\n"),
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        timeout: 10_000,
      });
      const out = r.stdout.toString();
      expect(out).toMatch(/GOT=hello TTY=\/dev\/pts\/\d+\r\n/); // the pty's own line endings
      expect(out).toMatch(/rest\r\n(.|\r|\n)*DONE=0/);
      expect(r.exitCode).toBe(0);
    });

    for (const [what, flags, pid] of [
      ["as PID 1", ["--as-pid-1"], "1"],
      ["without a pid namespace", ["--unshare", "user,fs"], null],
    ] as const) {
      test(`${what}, the command still leads a session on a terminal of its own`, () => {
        const script = 'read -r s < /proc/$$/stat; echo "TTY=$(tty) PID=$$ STAT=$s"';
        const r = Bun.spawnSync([...dropTo(as), binaryFor(as), "run", "--pty", ...flags, "--", "/bin/sh", "-c", script], {
          stdin: "ignore",
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
          timeout: 10_000,
        });
        const [, tty, own, stat] = /TTY=(\S+) PID=(\d+) STAT=([^\r\n]+)/.exec(r.stdout.toString()) ?? [];
        expect(tty).toMatch(/^\/dev\/pts\/\d+$/);
        if (pid !== null) expect(own).toBe(pid);
        const [, , pgrp, sid, ttyNr] = stat!.slice(stat!.lastIndexOf(") ") + 2).split(" ");
        expect([pgrp, sid]).toEqual([own, own]);
        expect(Number(ttyNr)).toBeGreaterThan(0);
        expect(r.exitCode).toBe(0);
      });
    }

    test("the caller's terminal settings come back after an exit, a setup error and a signal", async () => {
      const settings = 'echo "STTY=$(stty -g)"';
      const s = terminal(
        [
          settings,
          `${run(as, "/bin/sh -c exit")}; ${settings}`,
          `${run(as, "/no/such/command")} 2>/dev/null; ${settings}`,
          // In the background a shell gives its job /dev/null as stdin: hand it the terminal.
          `${run(as, "sleep 30")} </dev/tty & pid=$!; sleep 1; echo "RAW=$(stty -g)"; kill -TERM $pid; wait $pid; echo "CODE=$?"; ${settings}`,
        ].join("; "),
        as,
      );
      expect(await s.exited(30_000)).toBe(0);
      const seen = [...s.output.matchAll(/STTY=(\S+)/g)].map((m) => m[1]);
      expect(seen).toHaveLength(4);
      expect(new Set(seen).size).toBe(1);
      expect(s.output).toMatch(/CODE=143/);
      expect(s.output.match(/RAW=(\S+)/)?.[1]).not.toBe(seen[0]); // it was raw meanwhile
    }, 40_000);
  });
}
