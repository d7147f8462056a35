// Stage 1 (config): capability names ↔ numbers.
import { expect, test } from "bun:test";
import { CAPABILITIES, capName, capNumber } from "../../../src/config/capabilities.ts";

test("the kernel table: 41 caps, CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40", () => {
  expect(CAPABILITIES.length).toBe(41);
  expect(new Set(CAPABILITIES).size).toBe(41);
  expect(capNumber("CAP_CHOWN")).toBe(0);
  expect(capNumber("CAP_SYS_ADMIN")).toBe(21);
  expect(capNumber("CAP_AUDIT_READ")).toBe(37);
  expect(capNumber("CAP_PERFMON")).toBe(38);
  expect(capNumber("CAP_BPF")).toBe(39);
  expect(capNumber("CAP_CHECKPOINT_RESTORE")).toBe(40);
});

test.each(["net_bind_service", "NET_BIND_SERVICE", "cap_net_bind_service", "CAP_NET_BIND_SERVICE", "Cap_Net_Bind_Service"])(
  "%s is 10",
  (name) => expect(capNumber(name)).toBe(10),
);

test("unknown names", () => {
  expect(capNumber("net_bind")).toBeNull();
  expect(capNumber("CAP_")).toBeNull();
  expect(capNumber("")).toBeNull();
});

test("capName", () => {
  expect(capName(12)).toBe("CAP_NET_ADMIN");
  expect(capName(99)).toBe("cap 99");
});
