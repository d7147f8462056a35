/* Stage 4 (trampoline): the op handlers — one raw syscall each (plus open/close where the
 * kernel wants an fd) — and run_plan, the loop that runs them in order. Only a successful
 * execve leaves it; a failure becomes a status record naming the op and its errno. */
#include "nsj.h"

static long op_write_file(const char *path, const char *data) {
  long fd = SYS(OPENAT, NSJ_AT_FDCWD, path, NSJ_O_WRONLY | NSJ_O_CLOEXEC, 0);
  if (fd < 0) return fd;
  u64 len = nsj_strlen(data);
  long n = SYS(WRITE, fd, data, len);
  SYS(CLOSE, fd);
  return n < 0 ? n : (u64)n == len ? 0 : -NSJ_EIO;
}

/* The fd stays open (close-on-exec): check_parent polls it later. */
static long op_wait_parent(long fd) {
  char c;
  long n;
  do n = SYS(READ, fd, &c, 1); while (n == -NSJ_EINTR);
  return n < 0 ? n : n == 1 ? 0 : -NSJ_ECHILD; /* EOF: the parent died or gave up on us */
}

/* The parent holds the only write end of this pipe for as long as we may need it: a hang-up
 * means it is gone, perhaps before a re-armed PR_SET_PDEATHSIG could fire. No fd: no parent
 * to check (exec mode without a pid namespace). */
static long op_check_parent(long fd) {
  if (fd < 0) return 0;
  struct { i32 fd; short events, revents; } pfd = { (i32)fd, 0, 0 };
  struct { long sec, nsec; } now = { 0, 0 };
  long n = SYS(PPOLL, &pfd, 1, &now, 0, 8);
  if (n < 0) return n;
  return (pfd.revents & NSJ_POLLHUP) ? -NSJ_ESRCH : 0;
}

static long op_setgroups(const u64 *a) {
  u32 gids[NSJ_MAX_GROUPS];
  for (u64 i = 0; i < a[0]; i++) gids[i] = (u32)a[i + 1];
  return SYS(SETGROUPS, a[0], gids);
}

static long op_capset(const u64 *arg) {
  struct { u32 version; i32 pid; } hdr = { NSJ_CAP_VERSION_3, 0 };
  struct { u32 eff, perm, inh; } data[2];
  for (int i = 0; i < 2; i++) {
    data[i].eff = (u32)(arg[0] >> (32 * i));
    data[i].perm = (u32)(arg[1] >> (32 * i));
    data[i].inh = (u32)(arg[2] >> (32 * i));
  }
  return SYS(CAPSET, &hdr, data);
}

static long op_if_up(const char *name) {
  struct { char name[16]; short flags; char pad[22]; } ifr = { { 0 }, 0, { 0 } };
  u64 len = nsj_strlen(name);
  if (len >= sizeof ifr.name) return -NSJ_ENAMETOOLONG;
  for (u64 i = 0; i < len; i++) ifr.name[i] = name[i];
  long fd = SYS(SOCKET, NSJ_AF_INET, NSJ_SOCK_DGRAM | NSJ_SOCK_CLOEXEC, 0);
  if (fd < 0) return fd;
  long rc = SYS(IOCTL, fd, NSJ_SIOCGIFFLAGS, &ifr);
  if (rc >= 0) {
    ifr.flags |= NSJ_IFF_UP;
    rc = SYS(IOCTL, fd, NSJ_SIOCSIFFLAGS, &ifr);
  }
  SYS(CLOSE, fd);
  return rc;
}

/* Pointer arrays live on this stack frame: the plan holds offsets, not addresses. */
static void fill_ptrs(const struct nsj_plan *p, const u64 *a, const char **out) {
  for (u64 i = 0; i < a[0]; i++) out[i] = S(p, a[i + 1]);
  out[a[0]] = 0;
}

/* execve, or with argv NULL only faccessat(X_OK): may `file` be run? */
static long attempt(const char *file, const char **argv, const char **envp) {
  return argv ? SYS(EXECVE, file, argv, envp) : SYS(FACCESSAT, NSJ_AT_FDCWD, file, NSJ_X_OK);
}

/* execvp without libc: a name with no '/' is tried in each PATH directory, as execvp does,
 * remembering EACCES so that "found but not executable" is not reported as ENOENT. */
static long search_path(const char *path, const char *search, const char **argv, const char **envp) {
  int has_slash = 0;
  for (const char *c = path; *c; c++) has_slash |= *c == '/';
  if (has_slash || !search) return attempt(path, argv, envp);
  u64 plen = nsj_strlen(path);
  long err = -NSJ_ENOENT;
  for (const char *dir = search;;) {
    char buf[4096];
    u64 n = 0;
    while (dir[n] && dir[n] != ':') n++;
    const char *d = n ? dir : ".";
    u64 dlen = n ? n : 1;
    if (dlen + plen + 2 <= sizeof buf) {
      for (u64 i = 0; i < dlen; i++) buf[i] = d[i];
      buf[dlen] = '/';
      for (u64 i = 0; i <= plen; i++) buf[dlen + 1 + i] = path[i];
      long rc = attempt(buf, argv, envp);
      if (rc == -NSJ_EACCES) err = rc;
      else if (rc != -NSJ_ENOENT && rc != -NSJ_ENOTDIR) return rc;
    }
    if (!dir[n]) return err;
    dir += n + 1;
  }
}

/* The jail's pid_env (LISTEN_PID=<pid>, from a getpid op), if any, ends the environment. */
static long op_execve(const struct nsj_jail *j, const u64 *arg) {
  const struct nsj_plan *p = &j->plan;
  const u64 *av = A(p, arg[1]), *ev = A(p, arg[2]);
  if (av[0] + ev[0] > NSJ_MAX_EXEC_STRINGS) return -NSJ_E2BIG;
  const char *argv[NSJ_MAX_EXEC_STRINGS + 3];
  const char **envp = argv + av[0] + 1;
  fill_ptrs(p, av, argv);
  fill_ptrs(p, ev, envp);
  if (j->pid_env[0]) envp[ev[0]] = j->pid_env, envp[ev[0] + 1] = 0;
  return search_path(S(p, arg[0]), S(p, arg[3]), argv, envp);
}

/* Installs a BPF filter (blob: [length, instructions…]). Needs no_new_privs, planned before. */
static long op_seccomp(const u64 *blob, u64 flags) {
  struct { u16 len; u16 pad[3]; const void *filter; } prog = { (u16)(blob[0] / 8), { 0, 0, 0 }, blob + 1 };
  return SYS(SECCOMP, NSJ_SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* One byte with `fd` attached (SCM_RIGHTS) on the socket `sock`. */
static long send_fd(long sock, long fd) {
  char byte = 0;
  struct { void *base; u64 len; } iov = { &byte, 1 };
  union { struct { u64 len; i32 level, type, fd; } c; u64 align[3]; } cmsg = { { 20, NSJ_SOL_SOCKET, NSJ_SCM_RIGHTS, (i32)fd } };
  struct { void *name; u32 namelen; void *iov; u64 iovlen; void *control; u64 controllen; i32 flags; } msg =
    { 0, 0, &iov, 1, &cmsg, sizeof cmsg, 0 };
  long n = SYS(SENDMSG, sock, &msg, NSJ_MSG_NOSIGNAL);
  return n < 0 ? n : n == 1 ? 0 : -NSJ_EIO;
}

/* The filter with a listener (flags hold SECCOMP_FILTER_FLAG_NEW_LISTENER), handed to the
 * jail's init over `sock`: a call the filter kills then waits for the init, which names it.
 * sendmsg is the one call made under the filter before execve (the planner checks that the
 * filter allows it); both fds are close-on-exec, so nothing else needs to run. A failure
 * ends setup, so the command never runs with a listener-less filter (whose kills would turn
 * into ENOSYS). */
static long op_seccomp_listener(const u64 *blob, u64 flags, long sock) {
  long listener = op_seccomp(blob, flags);
  return listener < 0 ? listener : send_fd(sock, listener);
}

/* The mask travels as u32 words; the rest of the kernel's cpu_set_t is zero. */
static long op_sched_setaffinity(const u64 *words) {
  u32 mask[NSJ_MAX_GROUPS / 2];
  if (words[0] > NSJ_MAX_GROUPS / 2) return -NSJ_EINVAL;
  for (u64 i = 0; i < NSJ_MAX_GROUPS / 2; i++) mask[i] = i < words[0] ? (u32)words[1 + i] : 0;
  return SYS(SCHED_SETAFFINITY, 0, sizeof mask, mask);
}

/* "NAME=<our pid>" into the jail's pid_env, for execve to append: the pid the command will
 * have, seen from its own pid namespace (LISTEN_PID must name it, see sd_listen_fds(3)). */
static long op_getpid(struct nsj_jail *j, const char *name) {
  char digits[24];
  u64 n = nsj_strlen(name);
  ltoa(SYS(GETPID, 0), digits);
  if (n + 1 + nsj_strlen(digits) + 1 > sizeof j->pid_env) return -NSJ_ENAMETOOLONG;
  for (u64 i = 0; i < n; i++) j->pid_env[i] = name[i];
  j->pid_env[n] = '=';
  for (u64 i = 0; i <= nsj_strlen(digits); i++) j->pid_env[n + 1 + i] = digits[i];
  return 0;
}

/* A datagram socket bound to the abstract name `name` in this process's network namespace,
 * sent to nsjail over `to` (SCM_RIGHTS) and closed here: nsjail alone reads what the jail's
 * processes send to it. Layouts are the LP64 msghdr, iovec and cmsghdr. */
static long op_bind_unix(const char *name, long to) {
  struct { u16 family; char path[108]; } addr = { NSJ_AF_UNIX, { 0 } };
  u64 len = nsj_strlen(name);
  if (len + 1 > sizeof addr.path) return -NSJ_ENAMETOOLONG;
  for (u64 i = 0; i < len; i++) addr.path[1 + i] = name[i]; /* path[0] = 0: abstract */
  long s = SYS(SOCKET, NSJ_AF_UNIX, NSJ_SOCK_DGRAM | NSJ_SOCK_CLOEXEC, 0);
  if (s < 0) return s;
  long rc = SYS(BIND, s, &addr, sizeof addr.family + 1 + len);
  if (rc >= 0) {
    struct { u64 len; i32 level, type, fd, pad; } cmsg = { 16 + sizeof(i32), NSJ_SOL_SOCKET, NSJ_SCM_RIGHTS, (i32)s, 0 };
    char byte = 0;
    struct { void *base; u64 len; } iov = { &byte, 1 };
    struct { void *name; u64 namelen; void *iov; u64 iovlen; void *control; u64 controllen; u64 flags; } msg = {
      0, 0, &iov, 1, &cmsg, sizeof cmsg, 0 };
    rc = SYS(SENDMSG, to, &msg, 0);
  }
  SYS(CLOSE, s);
  return rc < 0 ? rc : 0;
}

/* Execs the sealed image as ROLE. Its argv carries the first op to run and this process's
 * fd table, so it finds the plan and the status pipe. Only the slots in `keep` (a bit per
 * slot) lose close-on-exec; every other fd closes at the exec. */
static long exec_image(const struct nsj_jail *j, long image, u64 start, const char *role, u32 keep) {
  char text[1 + NSJ_FD_SLOTS][24];
  const char *argv[3 + NSJ_FD_SLOTS]; /* no initializer: a partial one becomes a memset call */
  argv[0] = role;
  argv[1] = ltoa(start, text[0]);
  for (int i = 0; i < NSJ_FD_SLOTS; i++) argv[2 + i] = ltoa(j->fd[i], text[1 + i]);
  argv[2 + NSJ_FD_SLOTS] = 0;
  const char *envp[1] = { 0 };
  for (int i = 0; i < NSJ_FD_SLOTS; i++) {
    long rc = !(keep & (1u << i)) || j->fd[i] < 0 ? 0 : SYS(FCNTL, j->fd[i], NSJ_F_SETFD, 0);
    if (rc < 0) return rc;
  }
  return SYS(EXECVEAT, image, "", argv, envp, NSJ_AT_EMPTY_PATH);
}

/* The init keeps the plan and the status pipe; the pty and the exec watch go on to the
 * command's process (the init closes its own copies after its fork). */
static long op_exec_init(const struct nsj_jail *j, long image, u64 start) {
  u32 keep = (1u << NSJ_SLOT_PLAN) | (1u << NSJ_SLOT_STATUS) | (1u << NSJ_SLOT_PTY) | (1u << NSJ_SLOT_EXEC_WATCH);
  return exec_image(j, image, start, "nsjail-init", keep);
}

/* Leaves the spawner's memory: the rest of the setup runs in a fresh image with an mm of
 * its own, so the spawner never has to be dumpable for the kernel to let anyone at this
 * child's /proc files (its uid_map). Every slot crosses; the image marks them close-on-exec
 * again on entry. */
static long op_exec_image(const struct nsj_jail *j, long image, u64 start) {
  return exec_image(j, image, start, "nsjail-setup", (1u << NSJ_FD_SLOTS) - 1);
}

/* A slot with no fd (-1) leaves `target` as it is. */
static long op_dup3(long fd, u64 target) {
  return fd < 0 ? 0 : SYS(DUP3, fd, target, 0);
}

/* fork, then execve in the child exactly as op_execve does (PATH search included), and wait.
 * A child that cannot exec exits 127 (not found) or 126, as a shell would. Anything but a
 * zero exit fails the op: its errno field is WAIT_FAILED plus the wait status. */
static long op_exec_wait(const struct nsj_jail *j, const u64 *a) {
  long pid = SYS(CLONE, NSJ_SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return pid;
  if (pid == 0) {
    long rc = op_execve(j, a);
    SYS(EXIT_GROUP, rc == -NSJ_ENOENT || rc == -NSJ_ENOTDIR ? NSJ_EXIT_NOT_FOUND : NSJ_EXIT_CANNOT_EXECUTE);
  }
  int status = 0;
  long rc;
  do rc = SYS(WAIT4, pid, &status, 0, 0); while (rc == -NSJ_EINTR);
  if (rc < 0) return rc;
  return status == 0 ? 0 : -(NSJ_WAIT_FAILED + (status & 0xffff));
}

/* Closing an empty slot is nothing; a closed slot is empty again. */
static long op_close(struct nsj_jail *j, u64 slot) {
  long fd = j->fd[slot];
  if (fd < 0) return 0;
  j->fd[slot] = -1;
  return SYS(CLOSE, fd);
}

/* The fd a slot argument stands for in this process. */
#define F(k) (j->fd[a[k]])

static long op_run(struct nsj_jail *j, const struct nsj_record *r, u32 index) {
  const struct nsj_plan *p = &j->plan;
  const u64 *a = r->arg;
  switch (r->code) {
  case NSJ_OP_PRCTL: return SYS(PRCTL, a[0], a[1], a[2], a[3], a[4]);
  case NSJ_OP_MOUNT: return SYS(MOUNT, S(p, a[0]), S(p, a[1]), S(p, a[2]), a[3], S(p, a[4]));
  case NSJ_OP_UMOUNT2: return SYS(UMOUNT2, S(p, a[0]), a[1]);
  case NSJ_OP_MKDIR: return SYS(MKDIRAT, NSJ_AT_FDCWD, S(p, a[0]), a[1]);
  case NSJ_OP_CHDIR: return SYS(CHDIR, S(p, a[0]));
  case NSJ_OP_PIVOT_ROOT: return SYS(PIVOT_ROOT, S(p, a[0]), S(p, a[1]));
  case NSJ_OP_SETHOSTNAME: return SYS(SETHOSTNAME, S(p, a[0]), nsj_strlen(S(p, a[0])));
  case NSJ_OP_SETDOMAINNAME: return SYS(SETDOMAINNAME, S(p, a[0]), nsj_strlen(S(p, a[0])));
  case NSJ_OP_SETRESUID: return SYS(SETRESUID, a[0], a[1], a[2]);
  case NSJ_OP_SETRESGID: return SYS(SETRESGID, a[0], a[1], a[2]);
  case NSJ_OP_SETGROUPS: return op_setgroups(A(p, a[0]));
  case NSJ_OP_CAPSET: return op_capset(a);
  case NSJ_OP_WRITE_FILE: return op_write_file(S(p, a[0]), S(p, a[1]));
  case NSJ_OP_WAIT_PARENT: return op_wait_parent(F(0));
  case NSJ_OP_SETSID: return SYS(SETSID, 0);
  case NSJ_OP_CLOSE_RANGE: return SYS(CLOSE_RANGE, a[0], a[1], a[2]);
  case NSJ_OP_FCNTL: return SYS(FCNTL, a[0], a[1], a[2]);
  case NSJ_OP_SETRLIMIT: { u64 lim[2] = { a[1], a[2] }; return SYS(PRLIMIT64, 0, a[0], lim, 0); }
  case NSJ_OP_UNSHARE: return SYS(UNSHARE, a[0]);
  case NSJ_OP_IF_UP: return op_if_up(S(p, a[0]));
  case NSJ_OP_EXEC_INIT: return op_exec_init(j, F(0), a[1]);
  case NSJ_OP_EXECVE: return op_execve(j, a);
  case NSJ_OP_CLOSE: return op_close(j, a[0]);
  case NSJ_OP_FORK_WAIT: return op_fork_wait(j, index);
  case NSJ_OP_CHECK_PARENT: return op_check_parent(F(0));
  case NSJ_OP_SECCOMP: return op_seccomp(A(p, a[0]), a[1]);
  case NSJ_OP_SETPRIORITY: return SYS(SETPRIORITY, a[0], a[1], a[2]);
  case NSJ_OP_SCHED_SETAFFINITY: return op_sched_setaffinity(A(p, a[0]));
  case NSJ_OP_IOCTL: return SYS(IOCTL, F(0), a[1], a[2]);
  case NSJ_OP_GETPID: return op_getpid(j, S(p, a[0]));
  case NSJ_OP_BIND_UNIX: return op_bind_unix(S(p, a[0]), F(1));
  case NSJ_OP_OPEN_TREE: return op_open_tree(j, a);
  case NSJ_OP_MOVE_MOUNT: return SYS(MOVE_MOUNT, F(0), S(p, a[1]), F(2), S(p, a[3]), a[4]);
  case NSJ_OP_OPENAT2: return op_openat2(j, a);
  case NSJ_OP_FSOPEN: return op_fsopen(j, a);
  case NSJ_OP_FSCONFIG: return SYS(FSCONFIG, F(0), a[1], S(p, a[2]), S(p, a[3]), a[4]);
  case NSJ_OP_FSMOUNT: return op_fsmount(j, a);
  case NSJ_OP_MOUNT_SETATTR: return op_mount_setattr(j, a);
  case NSJ_OP_MKDIRAT: return op_mkdirat(j, a);
  case NSJ_OP_SYMLINKAT: return SYS(SYMLINKAT, S(p, a[0]), F(1), S(p, a[2]));
  case NSJ_OP_FCHMODAT: return SYS(FCHMODAT, F(0), S(p, a[1]), a[2]);
  case NSJ_OP_WRITE: return op_write(j, a);
  case NSJ_OP_COPY_FD: return op_copy_fd(j, a);
  case NSJ_OP_EXEC_WAIT: return op_exec_wait(j, a);
  case NSJ_OP_SECCOMP_LISTENER: return op_seccomp_listener(A(p, a[0]), a[1], F(2));
  case NSJ_OP_FACCESSAT: return search_path(S(p, a[0]), S(p, a[1]), 0, 0);
  case NSJ_OP_EXEC_IMAGE: return op_exec_image(j, F(0), a[1]);
  case NSJ_OP_DUP3: return op_dup3(F(0), a[1]);
  case NSJ_OP_SETNS: return SYS(SETNS, F(0), a[1]);
  case NSJ_OP_FCHDIR: return SYS(FCHDIR, F(0));
  case NSJ_OP_CHROOT: return SYS(CHROOT, S(p, a[0]));
  }
  return -NSJ_EINVAL;
}

/* The exit code of a failed op. The command's execve, and faccessat (its lookup before a
 * seccomp filter), exit as env(1) does (commandExitCode() in src/errors.ts): 127 when not
 * found, 126 when found but not executable. */
static int failure_exit(const struct nsj_record *r, long err) {
  if (r->code != NSJ_OP_EXECVE && r->code != NSJ_OP_FACCESSAT) return NSJ_EXIT_SETUP;
  return err == NSJ_ENOENT || err == NSJ_ENOTDIR ? NSJ_EXIT_NOT_FOUND : NSJ_EXIT_CANNOT_EXECUTE;
}

/* Runs ops [start, count). Only a successful execve leaves this loop. A failed optional op
 * is a warning, and the ops it stands before (its `skip`) are passed over. */
int run_plan(struct nsj_jail *j, u32 start) {
  for (u32 i = start; i < j->plan.h->op_count; i++) {
    const struct nsj_record *r = &j->plan.ops[i];
    long rc = op_run(j, r, i);
    if (rc >= 0) continue;
    int optional = r->flags & NSJ_OP_FLAG_OPTIONAL;
    report(j, i, -rc, optional ? NSJ_STATUS_WARNING : NSJ_STATUS_ERROR);
    if (!optional) return failure_exit(r, -rc);
    i += r->skip;
  }
  report(j, j->plan.h->op_count, NSJ_EINVAL, NSJ_STATUS_ERROR);
  return NSJ_EXIT_SETUP;
}
