// Stage 3 (wire): the setns socket's line — written, read back, and every kind of damage
// reported as an Error that says what is wrong, never thrown.
import { describe, expect, test } from "bun:test";
import { decodeSetnsMessage, encodeSetnsMessage } from "../../../src/wire/setns.ts";
import { TERMS } from "../../support/fake-setns.ts";


const line = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/\n$/, "");
const decode = (fields: Record<string, unknown>) => decodeSetnsMessage(JSON.stringify({ nsjail_setns: 1, ...fields }));

describe("setns message", () => {
  test("terms survive the round trip, bigints and filter bytes included", () => {
    const bytes = encodeSetnsMessage({ terms: TERMS });
    expect(bytes.at(-1)).toBe(10);
    expect(line(bytes).includes("\n")).toBe(false);
    expect(decodeSetnsMessage(line(bytes))).toEqual({
      terms: {
        ...TERMS,
        // Integers come back as bigints: the encoder takes either.
        restrictions: TERMS.restrictions.map((o) => ({ ...o, args: o.args.map((a) => (typeof a === "number" ? BigInt(a) : a)) })),
      },
    });
  });

  test("a refusal", () => {
    expect(decodeSetnsMessage(line(encodeSetnsMessage({ refused: "uid 7 may not join" })))).toEqual({ refused: "uid 7 may not join" });
  });

  const good = JSON.parse(line(encodeSetnsMessage({ terms: TERMS }))) as Record<string, unknown>;
  const BAD: [string, unknown, string][] = [
    ["not JSON", "{", "JSON Parse error: Expected '}'"],
    ["not an object", "[1]", "not a JSON object"],
    ["another version", { ...good, nsjail_setns: 2 }, "protocol version 2, this nsjail speaks 1"],
    ["no version", '{"pid":1}', "protocol version undefined, this nsjail speaks 1"],
    ["unknown namespace", { ...good, namespaces: ["user", "mount"] }, "namespaces[1] is not a namespace"],
    ["a namespace twice", { ...good, namespaces: ["net", "net"] }, "namespaces lists one twice"],
    ["relative cwd", { ...good, cwd: "srv" }, "cwd is not an absolute path"],
    ["NUL in cwd", { ...good, cwd: "/a\0b" }, "cwd is not a string"],
    ["negative uid", { ...good, uid: -1 }, "uid is not an integer in 0..4294967294"],
    ["cap past 63", { ...good, caps: [64] }, "caps[0] is not an integer in 0..63"],
    ["env without =", { ...good, env: ["PATH"] }, "env[0] is not KEY=VALUE"],
    ["an op that is no restriction", { ...good, restrictions: [{ kind: "mount", args: [], path: "x", note: "y" }] }, "restrictions[0].kind is not one of setrlimit, setpriority, sched_setaffinity, seccomp"],
    ["wrong arity", { ...good, restrictions: [{ kind: "setrlimit", args: ["1"], path: "x", note: "y" }] }, "restrictions[0] has 1 arguments, not 3"],
    ["an integer that is not", { ...good, restrictions: [{ kind: "setrlimit", args: ["1", "x", "2"], path: "x", note: "y" }] }, "restrictions[0].args[1] is not an integer"],
  ];
  for (const [name, value, message] of BAD) {
    test(`reports ${name}`, () => {
      const got = typeof value === "string" ? decodeSetnsMessage(value) : decode(value as Record<string, unknown>);
      expect(got).toBeInstanceOf(Error);
      expect((got as Error).message).toBe(message);
    });
  }

  test("a refusal needs a string", () => {
    expect((decode({ error: 5 }) as Error).message).toBe("error is not a string");
  });
});
