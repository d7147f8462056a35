/* Stage 4 (trampoline): the file-system ops — the new mount API (open_tree, fsopen, fsconfig,
 * fsmount, move_mount, mount_setattr) and *at() calls on fd slots — one raw syscall each. An
 * op that makes an fd puts it in the slot its first argument names, -1 on failure, so a later
 * op can name it. Which slot holds what is decided in src/plan/fs/, never here. */
#include "nsj.h"

#define P (&j->plan)
#define FD(k) (j->fd[a[k]])

static long put(struct nsj_jail *j, u64 slot, long rc) {
  j->fd[slot] = rc < 0 ? -1 : rc;
  return rc;
}

long op_open_tree(struct nsj_jail *j, const u64 *a) {
  return put(j, a[0], SYS(OPEN_TREE, FD(1), S(P, a[2]), a[3]));
}

/* how: struct open_how { u64 flags, mode, resolve } as a 3-element array. */
long op_openat2(struct nsj_jail *j, const u64 *a) {
  const u64 *how = A(P, a[3]);
  if (how[0] != 3) return -NSJ_EINVAL;
  return put(j, a[0], SYS(OPENAT2, FD(1), S(P, a[2]), how + 1, 3 * sizeof(u64)));
}

long op_fsopen(struct nsj_jail *j, const u64 *a) {
  return put(j, a[0], SYS(FSOPEN, S(P, a[1]), a[2]));
}

long op_fsmount(struct nsj_jail *j, const u64 *a) {
  return put(j, a[0], SYS(FSMOUNT, FD(1), a[2], a[3]));
}

/* attr: struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd } as 4 elements. */
long op_mount_setattr(struct nsj_jail *j, const u64 *a) {
  const u64 *attr = A(P, a[3]);
  if (attr[0] != 4) return -NSJ_EINVAL;
  return SYS(MOUNT_SETATTR, FD(0), S(P, a[1]), a[2], attr + 1, 4 * sizeof(u64));
}

/* Makes sure a directory is there: an existing one (or anything else: the next open of it
 * says what is wrong) counts as made. */
long op_mkdirat(struct nsj_jail *j, const u64 *a) {
  long rc = SYS(MKDIRAT, FD(0), S(P, a[1]), a[2]);
  return rc == -NSJ_EEXIST ? 0 : rc;
}

static long write_all(long fd, const char *data, u64 len) {
  while (len > 0) {
    long n = SYS(WRITE, fd, data, len);
    if (n == -NSJ_EINTR) continue;
    if (n < 0) return n;
    if (n == 0) return -NSJ_EIO;
    data += n;
    len -= (u64)n;
  }
  return 0;
}

long op_write(struct nsj_jail *j, const u64 *a) {
  const char *s = S(P, a[1]);
  return write_all(FD(0), s, nsj_strlen(s));
}

/* Copies everything readable from fd `src` (a file or pipe nsjail was given) into the slot. */
long op_copy_fd(struct nsj_jail *j, const u64 *a) {
  char buf[4096];
  for (;;) {
    long n = SYS(READ, (long)a[1], buf, sizeof buf);
    if (n == -NSJ_EINTR) continue;
    if (n <= 0) return n;
    long rc = write_all(FD(0), buf, (u64)n);
    if (rc < 0) return rc;
  }
}
