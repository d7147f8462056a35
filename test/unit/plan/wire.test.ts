// plan/ops.ts and the trampoline's switch agree; the generated header carries every op.
import { expect, test } from "bun:test";
import { renderWireHeader } from "../../../scripts/gen-wire-h.ts";
import { wireMismatches } from "../../../scripts/check-wire.ts";
import { OP_CODES } from "../../../src/plan/ops.ts";

test("every op code has a C handler and vice versa", () => {
  expect(wireMismatches()).toEqual([]);
});

test("a missing case is reported by name", () => {
  expect(wireMismatches("case NSJ_OP_MOUNT:")).toContain("op chdir has no case in ffi/ops.c");
});

test("the generated header defines every op", () => {
  const header = renderWireHeader();
  for (const [kind, code] of Object.entries(OP_CODES)) expect(header).toContain(`#define NSJ_OP_${kind.toUpperCase()} ${code}\n`);
});
