// Stage 2 (plan): the flat list of syscall-level ops the trampoline runs in the jail's child.
import type { OpKind } from "./wire.ts";

/** Where an op came from: a config key path and a human note, used in every error. */
export interface OpOrigin {
  readonly path: string;
  readonly note: string;
}

/** i → number|bigint, s → string|null, a → string[], n → number[] (see OP_SIGNATURES). */
export type OpArg = number | bigint | string | null | readonly string[] | readonly number[];

export interface Op {
  readonly kind: OpKind;
  readonly args: readonly OpArg[];
  /** A failure becomes a warning and the plan goes on. */
  readonly optional: boolean;
  readonly origin: OpOrigin;
}

export interface Plan {
  readonly cloneFlags: number;
  readonly ops: readonly Op[];
  /** Fds the parent created for this plan, named so launch/ can match them. */
  readonly fds: PlanFds;
  /** Index of the op the jail's init starts its command child at, or null without an init. */
  readonly initStart: number | null;
  /** Exec mode: nsjail execs the image itself, so namespaces come from unshare() and no
   * parent reads status records; the plan carries its own error lines. */
  readonly standalone: boolean;
}

/** The parent's pipes and memfds the ops refer to by number. */
export interface PlanFds {
  readonly statusWrite: number;
  readonly syncRead: number;
  readonly syncWrite: number;
  readonly image: number;
  readonly plan: number;
}

export function op(kind: OpKind, args: readonly OpArg[], origin: OpOrigin, optional = false): Op {
  return { kind, args, optional, origin };
}
