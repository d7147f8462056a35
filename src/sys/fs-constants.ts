// Kernel constants of the file-system planners (src/plan/fs/): the new mount API, openat2 and
// umount2. Identical on x86_64 and aarch64 (O_DIRECTORY and O_NOFOLLOW are not: never used).
import { O_CLOEXEC, O_NONBLOCK } from "./constants.ts";
export { MNT } from "./constants.ts";

export const AT_EMPTY_PATH = 0x1000;
export const AT_RECURSIVE = 0x8000;

export const OPEN_TREE = { CLONE: 1, CLOEXEC: O_CLOEXEC } as const;
export const MOVE_MOUNT = { F_EMPTY_PATH: 0x4, T_EMPTY_PATH: 0x40 } as const;
export const FSOPEN_CLOEXEC = 1;
export const FSMOUNT_CLOEXEC = 1;
export const FSCONFIG = { SET_FLAG: 0, SET_STRING: 1, CMD_CREATE: 6 } as const;
export const MOUNT_ATTR = { RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8 } as const;

/** openat2(2) struct open_how.resolve. */
export const RESOLVE = { NO_MAGICLINKS: 0x2, IN_ROOT: 0x10 } as const;

export const O = {
  RDONLY: 0,
  WRONLY: 1,
  CREAT: 0o100,
  EXCL: 0o200,
  NOCTTY: 0o400,
  TRUNC: 0o1000,
  NONBLOCK: O_NONBLOCK,
  CLOEXEC: O_CLOEXEC,
  PATH: 0o10000000,
} as const;
