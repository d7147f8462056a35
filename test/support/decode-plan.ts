// A TypeScript reader of the plan wire format, for round-trip tests of encodePlan.
import { FD_SLOTS, OP_CODES, OP_SIGNATURES, type FdSlot, type OpKind } from "../../src/plan/ops.ts";
import { HEADER_SIZE, OP_FLAG_OPTIONAL, RECORD_SIZE } from "../../src/wire/format.ts";

export interface DecodedOp {
  kind: OpKind;
  optional: boolean;
  skip: number;
  args: (bigint | string | null | string[] | bigint[] | { slot: FdSlot } | Uint8Array)[];
}

const KINDS = Object.fromEntries(Object.entries(OP_CODES).map(([k, v]) => [v, k as OpKind]));

export function decodePlan(bytes: Uint8Array): { cloneFlags: bigint; ops: DecodedOp[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  const strtab = view.getUint32(12, true);
  const str = (ref: bigint) => {
    if (ref === 0n) return null;
    const start = strtab + Number(ref) - 1;
    return new TextDecoder().decode(bytes.subarray(start, bytes.indexOf(0, start)));
  };
  const arr = (ref: bigint) => {
    const at = strtab + Number(ref) - 1;
    const n = Number(view.getBigUint64(at, true));
    return Array.from({ length: n }, (_, i) => view.getBigUint64(at + 8 * (i + 1), true));
  };
  const ops: DecodedOp[] = [];
  for (let i = 0; i < count; i++) {
    const base = HEADER_SIZE + i * RECORD_SIZE;
    const kind = KINDS[view.getUint16(base, true)]!;
    const args = [...OP_SIGNATURES[kind]].map((sig, k) => {
      const v = view.getBigUint64(base + 8 + 8 * k, true);
      if (sig === "f") return { slot: FD_SLOTS[Number(v)]! };
      if (sig === "b") {
        const at = strtab + Number(v) - 1;
        return bytes.slice(at + 8, at + 8 + Number(view.getBigUint64(at, true)));
      }
      return sig === "s" ? str(v) : sig === "a" ? arr(v).map((r) => str(r)!) : sig === "n" ? arr(v) : v;
    });
    ops.push({ kind, optional: (view.getUint16(base + 2, true) & OP_FLAG_OPTIONAL) !== 0, skip: view.getUint32(base + 4, true), args });
  }
  return { cloneFlags: view.getBigUint64(24, true), ops };
}
