// Stage 3 (wire): Plan → the byte layout documented in format.ts. Pure; golden-tested.
// It runs once per jail start on cold (unjitted) code, so it avoids BigInt and per-string
// allocations on the common path: numbers are written as two u32 halves.
import { errnoName, errnoText } from "../errno.ts";
import { FD_SLOTS, OP_CODES, OP_SIGNATURES } from "../plan/ops.ts";
import type { Op, OpArg, Plan } from "../plan/types.ts";
import { encodeBytesInto } from "../sys/bytes.ts";
import { HEADER_SIZE, OP_FLAG_OPTIONAL, PLAN_MAGIC, PLAN_VERSION, RECORD_ARGS, RECORD_SIZE } from "./format.ts";

/** Errno names carried for exec mode: every errno Linux defines is below this. */
const ERRNO_LINES = 134;

/** Writes a u64: a non-negative integer up to 2^53, a negative one as two's complement, or a bigint. */
function setU64(view: DataView, at: number, v: number | bigint): void {
  if (typeof v === "bigint") return view.setBigUint64(at, BigInt.asUintN(64, v), true);
  view.setUint32(at, v >>> 0, true);
  view.setUint32(at + 4, v < 0 ? 0xffffffff : Math.floor(v / 0x1_0000_0000), true);
}

class StringTable {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private size = 0;
  private readonly seen = new Map<string, number>();

  private reserve(n: number): void {
    if (this.size + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.size + n));
    bigger.set(this.buf);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  /** Returns offset + 1 so that 0 can stand for NULL. */
  string(s: string): number {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    if (s.includes("\0")) throw new Error(`string contains NUL: ${JSON.stringify(s)}`);
    this.reserve(s.length * 3 + 1);
    const ref = this.size + 1;
    // Strings carry invalid UTF-8 as escapes (sys/bytes.ts): they go out as the original bytes.
    this.size += encodeBytesInto(s, this.buf.subarray(this.size));
    this.buf[this.size++] = 0;
    this.seen.set(s, ref);
    return ref;
  }

  /** u64 array [count, ...values], 8-byte aligned. */
  array(values: readonly (number | bigint)[]): number {
    this.size = (this.size + 7) & ~7;
    this.reserve(8 * (values.length + 1));
    const ref = this.size + 1;
    setU64(this.view, this.size, values.length);
    values.forEach((v, i) => setU64(this.view, this.size + 8 * (i + 1), v));
    this.size += 8 * (values.length + 1);
    return ref;
  }

  /** [length, bytes…] with the bytes padded to 8, 8-byte aligned. */
  blob(data: Uint8Array): number {
    this.size = (this.size + 7) & ~7;
    this.reserve(8 + data.length + 7);
    const ref = this.size + 1;
    setU64(this.view, this.size, data.length);
    this.buf.set(data, this.size + 8);
    this.size += 8 + ((data.length + 7) & ~7);
    return ref;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.size);
  }
}

function encodeArg(op: Op, i: number, kind: string, table: StringTable): number | bigint {
  const arg: OpArg | undefined = op.args[i];
  const bad = () => new Error(`op ${op.kind} [${op.origin.path}]: argument ${i} must be of kind '${kind}', got ${String(arg)}`);
  switch (kind) {
    case "i":
      if (typeof arg === "bigint" || (typeof arg === "number" && Number.isInteger(arg))) return arg;
      throw bad();
    case "s":
      if (arg === null) return 0;
      if (typeof arg === "string") return table.string(arg);
      throw bad();
    case "a":
      if (Array.isArray(arg) && arg.every((s) => typeof s === "string")) return table.array((arg as string[]).map((s) => table.string(s)));
      throw bad();
    case "n":
      if (Array.isArray(arg) && arg.every((n) => typeof n === "number")) return table.array(arg as number[]);
      throw bad();
    case "b":
      if (arg instanceof Uint8Array) return table.blob(arg);
      throw bad();
    case "f":
      if (typeof arg === "object" && arg !== null && "slot" in arg) return FD_SLOTS.indexOf(arg.slot);
      throw bad();
  }
  throw bad();
}

export function encodePlan(plan: Plan): Uint8Array {
  const table = new StringTable();
  const records = new DataView(new ArrayBuffer(plan.ops.length * RECORD_SIZE));
  plan.ops.forEach((op, index) => {
    const sig = OP_SIGNATURES[op.kind];
    if (op.args.length !== sig.length) throw new Error(`op ${op.kind} [${op.origin.path}]: takes ${sig.length} arguments, got ${op.args.length}`);
    const base = index * RECORD_SIZE;
    records.setUint16(base, OP_CODES[op.kind], true);
    records.setUint16(base + 2, op.optional ? OP_FLAG_OPTIONAL : 0, true);
    records.setUint32(base + 4, op.optional ? op.skip : 0, true);
    for (let k = 0; k < sig.length && k < RECORD_ARGS; k++) setU64(records, base + 8 + 8 * k, encodeArg(op, k, sig[k]!, table));
  });
  let messages = 0;
  let errnames = 0;
  if (plan.inplace) {
    const ref = (strings: string[]) => table.array(strings.map((m) => table.string(m)));
    messages = ref(plan.ops.map((o) => `${o.origin.note} [${o.origin.path}]`));
    errnames = ref(Array.from({ length: ERRNO_LINES }, (_, e) => `${errnoName(e)} (${errnoText(e)})`));
  }
  const strtab = table.bytes();
  const strtabOff = HEADER_SIZE + records.byteLength;
  const out = new Uint8Array(strtabOff + strtab.length);
  const header = new DataView(out.buffer);
  header.setUint32(0, PLAN_MAGIC, true);
  header.setUint16(4, PLAN_VERSION, true);
  header.setUint16(6, RECORD_SIZE, true);
  header.setUint32(8, plan.ops.length, true);
  header.setUint32(12, strtabOff, true);
  header.setUint32(16, strtab.length, true);
  header.setUint32(20, messages, true);
  setU64(header, 24, plan.cloneFlags);
  header.setUint32(32, errnames, true);
  out.set(new Uint8Array(records.buffer), HEADER_SIZE);
  out.set(strtab, strtabOff);
  return out;
}
