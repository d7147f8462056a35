// Stage 3 (encode): Op[] → the byte layout documented in wire.ts. Pure; golden-tested.
import { errnoName, errnoText } from "../sys/errno.ts";
import type { Op, Plan } from "./types.ts";
import { HEADER_SIZE, OP_CODES, OP_FLAG_OPTIONAL, OP_SIGNATURES, PLAN_MAGIC, PLAN_VERSION, RECORD_ARGS, RECORD_SIZE } from "./wire.ts";

class StringTable {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private readonly seen = new Map<string, number>();

  /** Returns offset + 1 so that 0 can stand for NULL. */
  string(s: string): number {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    const bytes = new TextEncoder().encode(`${s}\0`);
    if (bytes.indexOf(0) !== bytes.length - 1) throw new Error(`string contains NUL: ${JSON.stringify(s)}`);
    const ref = this.push(bytes);
    this.seen.set(s, ref);
    return ref;
  }

  /** u64 array [count, ...values], 8-byte aligned. */
  array(values: readonly bigint[]): number {
    this.push(new Uint8Array((8 - (this.size % 8)) % 8));
    const words = new BigUint64Array([BigInt(values.length), ...values]);
    return this.push(new Uint8Array(words.buffer));
  }

  private push(bytes: Uint8Array): number {
    const ref = this.size + 1;
    this.chunks.push(bytes);
    this.size += bytes.length;
    return ref;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function encodeArg(op: Op, i: number, kind: string, table: StringTable): bigint {
  const arg = op.args[i];
  const bad = () => new Error(`op ${op.kind} [${op.origin.path}]: argument ${i} must be of kind '${kind}', got ${String(arg)}`);
  switch (kind) {
    case "i":
      if (typeof arg === "bigint") return BigInt.asUintN(64, arg);
      if (typeof arg === "number" && Number.isInteger(arg)) return BigInt.asUintN(64, BigInt(arg));
      throw bad();
    case "s":
      if (arg === null) return 0n;
      if (typeof arg === "string") return BigInt(table.string(arg));
      throw bad();
    case "a":
      if (Array.isArray(arg) && arg.every((s) => typeof s === "string")) {
        return BigInt(table.array((arg as string[]).map((s) => BigInt(table.string(s)))));
      }
      throw bad();
    case "n":
      if (Array.isArray(arg) && arg.every((n) => typeof n === "number")) {
        return BigInt(table.array((arg as number[]).map((n) => BigInt(n))));
      }
      throw bad();
  }
  throw bad();
}

/** Errno names carried for exec mode: every errno Linux defines is below this. */
const ERRNO_LINES = 134;

export function encodePlan(plan: Plan): Uint8Array {
  const table = new StringTable();
  const records = new DataView(new ArrayBuffer(plan.ops.length * RECORD_SIZE));
  plan.ops.forEach((op, index) => {
    const sig = OP_SIGNATURES[op.kind];
    if (op.args.length !== sig.length) throw new Error(`op ${op.kind} [${op.origin.path}]: takes ${sig.length} arguments, got ${op.args.length}`);
    const base = index * RECORD_SIZE;
    records.setUint16(base, OP_CODES[op.kind], true);
    records.setUint16(base + 2, op.optional ? OP_FLAG_OPTIONAL : 0, true);
    for (let k = 0; k < RECORD_ARGS; k++) {
      records.setBigUint64(base + 8 + 8 * k, k < sig.length ? encodeArg(op, k, sig[k]!, table) : 0n, true);
    }
  });
  let messages = 0;
  let errnames = 0;
  if (plan.standalone) {
    const ref = (strings: string[]) => table.array(strings.map((m) => BigInt(table.string(m))));
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
  header.setBigUint64(24, BigInt(plan.cloneFlags), true);
  header.setUint32(32, errnames, true);
  out.set(new Uint8Array(records.buffer), HEADER_SIZE);
  out.set(strtab, strtabOff);
  return out;
}
