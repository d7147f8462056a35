// CLI: docs/nsjail.1 is generated from the command line and the schema, must not go stale, and
// must render without a groff warning.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { MAN_PATH, renderManPage } from "../../../scripts/gen-man.ts";
import { FLAGGED, RUN_OPTIONS, SHORTHANDS } from "../../../src/cli/flag-table.ts";
import { CI, requireHost } from "../../support/host.ts";

const hasGroff = Bun.which("groff") !== null;
requireHost(hasGroff, "groff (package groff-base) to lint docs/nsjail.1");

test("docs/nsjail.1 is up to date (run: bun scripts/gen-man.ts)", () => {
  expect(readFileSync(MAN_PATH, "utf8")).toBe(renderManPage());
});

test("every flag of run and every verb is in the page", () => {
  const page = renderManPage().replace(/\\-/g, "-");
  for (const flag of [...FLAGGED.map((s) => s.flag), ...SHORTHANDS.map((s) => s.flag), ...RUN_OPTIONS.map((o) => o.long)]) {
    expect(page).toContain(`\\fB${flag}\\fR`);
  }
  for (const verb of ["run", "check", "test", "version", "completion"]) expect(page).toContain(`.SS\nnsjail ${verb}`);
});

test.skipIf(!hasGroff && !CI)("groff renders it without a warning", () => {
  const r = Bun.spawnSync(["groff", "-man", "-Tutf8", "-ww", "-z", MAN_PATH]);
  expect(r.stderr.toString()).toBe("");
  expect(r.exitCode).toBe(0);
});
