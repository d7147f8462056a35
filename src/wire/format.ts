// Stage 3 (wire): the byte layout of a plan and of status records, shared with the
// trampoline through the generated header build/nsj_wire.h (scripts/gen-wire-h.ts).
//
// Layout, little-endian:
//   header  (40 bytes)  u32 magic, u16 version, u16 record_size, u32 op_count, u32 strtab_off,
//                       u32 strtab_len, u32 messages, u64 clone_flags, u32 errnames, u32 reserved
//           messages/errnames: string-array references (0 = none) used only when no parent
//           reads status records (exec mode): the process then prints its own error line.
//   records (op_count × 48 bytes)  u16 code, u16 flags, u32 skip, u64 arg[5]
//           skip: when this optional op fails, the next `skip` ops are not run either.
//   strtab  NUL-terminated strings and 8-byte aligned u64 arrays; a string argument is its
//           offset + 1 in the strtab so that 0 stays NULL. An fd-slot argument is the slot's
//           index in FD_SLOTS (src/plan/ops.ts).
// Status records from the child are 12 bytes: u32 op_index, i32 errno, u32 kind. An errno of
// WAIT_FAILED (src/sys/constants.ts) or more is no errno: a program the plan ran (exec_wait)
// failed, and the low 16 bits are its wait status.

export const PLAN_MAGIC = 0x4e534a50; // "NSJP"
export const PLAN_VERSION = 4;
export const HEADER_SIZE = 40;
export const RECORD_SIZE = 48;
export const RECORD_ARGS = 5;
export const STATUS_SIZE = 12;

/** Op flag: a failure is reported as a warning and the plan goes on. */
export const OP_FLAG_OPTIONAL = 1;

/** Status record kinds. */
export const STATUS_ERROR = 1;
export const STATUS_WARNING = 2;
/** Sent by the jail's init: errno field holds the command's wait status. */
export const STATUS_EXIT = 3;
/** Sent by the jail's init once it runs: setup is over and the init owns the pipe. */
export const STATUS_READY = 4;
/** Sent by the setup image once it runs in an mm of its own (exec_image is complete): from
 * then on the child's /proc files belong to the jail, and the parent may write its maps. */
export const STATUS_STARTED = 5;
/** Sent by the jail's init when the seccomp filter stopped a call it kills: op_index holds the
 * process's pid in the jail's pid namespace, errno the syscall number. */
export const STATUS_SECCOMP = 6;
/** Sent by the jail's init right before EXIT: op_index holds the largest resident set, in KiB,
 * of the command and every process the init reaped (the init's own counts Bun's memory, which
 * the process that exec'd it shared). */
export const STATUS_USAGE = 7;
