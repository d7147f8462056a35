// Stage 2 (plan): the flat list of syscall-level ops the trampoline runs in the jail's child.
import type { FdSlot, OpKind } from "./ops.ts";

/** Where an op came from: a config key path and a human note, used in every error. */
export interface OpOrigin {
  readonly path: string;
  readonly note: string;
}

/** An fd only the launcher knows, named by its slot (see FD_SLOTS). */
export interface FdRef {
  readonly slot: FdSlot;
}

/** i → number|bigint, s → string|null, a → string[], n → number[], f → FdRef, b → bytes
 * (see OP_SIGNATURES). */
export type OpArg = number | bigint | string | null | readonly string[] | readonly number[] | FdRef | Uint8Array;

export interface Op {
  readonly kind: OpKind;
  readonly args: readonly OpArg[];
  /** A failure becomes a warning and the plan goes on. */
  readonly optional: boolean;
  /** When this optional op fails, the next `skip` ops are skipped too: the rest of a
   * mount that cannot be made (an optional bind whose source is missing). */
  readonly skip: number;
  readonly origin: OpOrigin;
  /** Lines --dry-run prints under the op, for an argument the op line cannot show (the
   * seccomp filter's rules). */
  readonly detail?: readonly string[];
}

export interface Plan {
  readonly cloneFlags: number;
  readonly ops: readonly Op[];
  /** Index of the op the jail's init starts its command child at, or null without an init. */
  readonly initStart: number | null;
  /** Exec mode: nsjail execs the image in its own process, so namespaces come from unshare()
   * and no parent reads status records; the plan carries its own error lines. */
  readonly inplace: boolean;
}

export function op(kind: OpKind, args: readonly OpArg[], origin: OpOrigin, optional = false): Op {
  return { kind, args, optional, skip: 0, origin };
}

export function fd(slot: FdSlot): FdRef {
  return { slot };
}
