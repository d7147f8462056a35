// Stage 3 (encode): the plan's wire format, the single source of truth shared with
// ffi/trampoline.c through the generated header build/nsj_wire.h (scripts/gen-wire-h.ts).
//
// Layout, little-endian:
//   header  (40 bytes)  u32 magic, u16 version, u16 record_size, u32 op_count, u32 strtab_off,
//                       u32 strtab_len, u32 messages, u64 clone_flags, u32 errnames, u32 reserved
//           messages/errnames: string-array references (0 = none) used only when no parent
//           reads status records (exec mode): the child then prints its own error line.
//   records (op_count × 48 bytes)  u16 code, u16 flags, u32 reserved, u64 arg[5]
//   strtab  NUL-terminated strings and 8-byte aligned u64 arrays; a string argument is its
//           offset + 1 in the strtab so that 0 stays NULL.
// Status records from the child are 12 bytes: u32 op_index, i32 errno, u32 kind.

export const PLAN_MAGIC = 0x4e534a50; // "NSJP"
export const PLAN_VERSION = 2;
export const HEADER_SIZE = 40;
export const RECORD_SIZE = 48;
export const RECORD_ARGS = 5;
export const STATUS_SIZE = 12;

/** Op codes: the TS kind, the C handler op_<kind> and NSJ_OP_<KIND> share one name. */
export const OP_CODES = {
  prctl: 1,
  mount: 2,
  umount2: 3,
  mkdir: 4,
  chdir: 5,
  pivot_root: 6,
  sethostname: 7,
  setdomainname: 8,
  setresuid: 9,
  setresgid: 10,
  setgroups: 11,
  capset: 12,
  write_file: 13,
  wait_parent: 14,
  setsid: 15,
  close_range: 16,
  fcntl: 17,
  setrlimit: 18,
  unshare: 19,
  if_up: 20,
  exec_init: 21,
  execve: 22,
  close: 23,
  fork_wait: 24,
} as const;

export type OpKind = keyof typeof OP_CODES;

/**
 * Argument kinds per op, checked by encodePlan and by the C decoder (nsj_plan_check):
 * i = integer, s = string (or NULL), a = string array, n = integer array.
 */
export const OP_SIGNATURES: Record<OpKind, string> = {
  prctl: "iiiii",
  mount: "sssis",
  umount2: "si",
  mkdir: "si",
  chdir: "s",
  pivot_root: "ss",
  sethostname: "s",
  setdomainname: "s",
  setresuid: "iii",
  setresgid: "iii",
  setgroups: "n",
  capset: "iii",
  write_file: "ss",
  wait_parent: "i",
  setsid: "",
  close_range: "iii",
  fcntl: "iii",
  setrlimit: "iii",
  unshare: "i",
  if_up: "s",
  exec_init: "ia",
  execve: "saas",
  close: "i",
  fork_wait: "",
};

/** Op flag: a failure is reported as a warning and the plan goes on. */
export const OP_FLAG_OPTIONAL = 1;

/** Status record kinds. */
export const STATUS_ERROR = 1;
export const STATUS_WARNING = 2;
/** Sent by the jail's init: errno field holds the command's wait status. */
export const STATUS_EXIT = 3;
/** Sent by the jail's init once it runs: the CLONE_VM child has left the parent's memory. */
export const STATUS_READY = 4;

/** Limits the C side enforces (its stack holds argv/envp pointer arrays); the config stage
 * refuses a command over the first, so it owns the number. */
export { MAX_EXEC_STRINGS } from "../config/model.ts";
export const MAX_GROUPS = 64;
