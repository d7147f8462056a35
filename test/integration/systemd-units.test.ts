// examples/systemd/: the units pass `systemd-analyze verify` (with ExecStart pointing at the
// built ./nsjail, as it would at /usr/local/bin/nsjail), and the jail config they start is
// one `nsjail check` accepts.
import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { host, requireHost } from "../support/host.ts";
import { BIN, nsjail } from "../support/jail.ts";

const UNITS = resolve(import.meta.dir, "../../examples/systemd");
const analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find(existsSync) ?? null;
requireHost(analyze !== null, "systemd-analyze (package systemd) to check the example units");
requireHost(host.binary, "a built ./nsjail (npm run build)");

const dir = mkdtempSync(join(tmpdir(), "nsjail-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The units as installed: our binary and config in place of /usr/local/bin and /etc. */
function install(): string[] {
  const units = readdirSync(UNITS).filter((f) => /\.(service|socket)$/.test(f));
  for (const unit of units) {
    const text = readFileSync(join(UNITS, unit), "utf8")
      .replaceAll("/usr/local/bin/nsjail", BIN)
      .replaceAll("/etc/nsjail/webapp.toml", join(UNITS, "webapp.toml"));
    writeFileSync(join(dir, unit), text);
  }
  return units;
}

function verify(units: readonly string[]) {
  const r = Bun.spawnSync([analyze!, "verify", ...units.map((u) => `./${u}`)], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  // Only lines about our files count: a container's systemd may say things about itself.
  const ours = r.stderr.toString().split("\n").filter((l) => l.includes(dir) || (/\.(service|socket)\b/.test(l) && /nsjail|webapp/.test(l)));
  return { code: r.exitCode, ours };
}

describe.skipIf(analyze === null || !host.binary)("examples/systemd", () => {
  test("the service, socket and emperor units verify without a warning", () => {
    const units = install();
    expect(units.sort()).toEqual(["nsjail-emperor.service", "webapp.service", "webapp.socket"]);
    expect(verify(units)).toEqual({ code: 0, ours: [] });
  });

  test("a key systemd does not know would be caught", () => {
    const units = install();
    appendFileSync(join(dir, "webapp.service"), "Bogus=1\n");
    expect(verify(units).ours.join("\n")).toMatch(/Unknown key .*Bogus/);
  });

  test("the jail config the service starts is valid", () => {
    const r = nsjail("root", ["check", join(UNITS, "webapp.toml")]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
  });
});
