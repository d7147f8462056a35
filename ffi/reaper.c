/* Stage 4 (trampoline): the waiting parent of a pid namespace's first process — the jail's
 * init, or exec mode's waiter that keeps nsjail's pid. It forwards signals, reaps orphans
 * and exits with the command's status. Also the signal reset every fresh child needs. */
#include "nsj.h"

static int exit_code(int status) {
  return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}

/* Bun's handlers must not survive into a child (what posix_spawn does too): every handler back
 * to the default, then nothing blocked. */
void reset_signals(void) {
  struct { u64 handler, flags, restorer, mask; } dfl = { 0, 0, 0, 0 };
  for (long sig = 1; sig <= NSJ_NSIG; sig++)
    if (sig != NSJ_SIGKILL && sig != NSJ_SIGSTOP) SYS(RT_SIGACTION, sig, &dfl, 0, 8);
  u64 none = 0;
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &none, 0, 8);
}

/* The fd that came with one byte on `sock`, close-on-exec, or -1. */
static long recv_fd(long sock) {
  char byte;
  struct { void *base; u64 len; } iov = { &byte, 1 };
  union { struct { u64 len; i32 level, type, fd; } c; u64 align[3]; } cmsg = { { 0, 0, 0, -1 } };
  struct { void *name; u32 namelen; void *iov; u64 iovlen; void *control; u64 controllen; i32 flags; } msg =
    { 0, 0, &iov, 1, &cmsg, sizeof cmsg, 0 };
  long n = SYS(RECVMSG, sock, &msg, NSJ_MSG_CMSG_CLOEXEC);
  return n == 1 && cmsg.c.level == NSJ_SOL_SOCKET && cmsg.c.type == NSJ_SCM_RIGHTS ? cmsg.c.fd : -1;
}

/* A call the filter kills: the process dies at once (SIGKILL, which it can neither catch nor
 * block) and the parent gets its pid and syscall number. Returns 1 when it was `child`. */
static int kill_offender(const struct nsj_jail *j, long listener, long child) {
  struct { u64 id; u32 pid, flags; i32 nr; u32 arch; u64 ip, args[6]; } n;
  u64 *words = (u64 *)&n;
  for (u64 i = 0; i < sizeof n / 8; i++) words[i] = 0; /* the kernel wants it zeroed */
  if (SYS(IOCTL, listener, NSJ_SECCOMP_IOCTL_NOTIF_RECV, &n) < 0) return 0; /* it died meanwhile */
  SYS(KILL, n.pid, NSJ_SIGKILL);
  report(j, n.pid, n.nr, NSJ_STATUS_SECCOMP);
  return (long)n.pid == child;
}

/* Forwards a signal, or reaps on SIGCHLD; exits with the child's status once it is reaped.
 * A child the filter killed is reported as killed by SIGSYS, as SECCOMP_RET_KILL_PROCESS
 * would have it. */
static void on_signal(const struct nsj_jail *j, u32 index, long sfd, long child, int filtered) {
  u32 info[32];
  if (SYS(READ, sfd, info, sizeof info) != sizeof info) return;
  if (info[0] != NSJ_SIGCHLD) {
    SYS(KILL, child, info[0]);
    SYS(KILL, child, NSJ_SIGCONT); /* a stopped command would hold it pending forever */
    return;
  }
  int status;
  long pid;
  while ((pid = SYS(WAIT4, -1, &status, NSJ_WNOHANG, 0)) > 0) {
    if (pid != child) continue;
    if (filtered && (status & 0x7f) == NSJ_SIGKILL) status = NSJ_SIGSYS;
    long ru[18] = { 0 }; /* struct rusage: ru_maxrss (KiB) is the fifth long */
    SYS(GETRUSAGE, NSJ_RUSAGE_CHILDREN, ru);
    report(j, (u32)ru[4], 0, NSJ_STATUS_USAGE);
    report(j, index, status, NSJ_STATUS_EXIT);
    SYS(EXIT_GROUP, exit_code(status));
  }
}

/* Signals are already blocked and routed to sfd. `sock` (or -1) brings the seccomp filter's
 * listener from the child; it is watched from then on until no process uses the filter. */
__attribute__((noreturn)) static void supervise(const struct nsj_jail *j, u32 index, long sfd, long child, long sock) {
  struct { i32 fd; short events, revents; } pfd[3] = { { (i32)sfd, NSJ_POLLIN, 0 }, { (i32)sock, NSJ_POLLIN, 0 }, { -1, NSJ_POLLIN, 0 } };
  int filtered = 0;
  for (;;) {
    if (SYS(PPOLL, pfd, 3, 0, 0, 8) < 0) continue;
    if (pfd[1].revents) {
      pfd[2].fd = (i32)recv_fd(pfd[1].fd);
      SYS(CLOSE, pfd[1].fd);
      pfd[1].fd = -1;
    } else if (pfd[2].revents & NSJ_POLLIN) {
      filtered |= kill_offender(j, pfd[2].fd, child);
    } else if (pfd[2].revents) { /* POLLHUP: nobody runs under the filter any more */
      SYS(CLOSE, pfd[2].fd);
      pfd[2].fd = -1;
    }
    if (pfd[0].revents & NSJ_POLLIN) on_signal(j, index, sfd, child, filtered);
  }
}

/* Whether the ops this fork's child runs (up to a later init's own) hand over a listener. */
static int wants_listener(const struct nsj_jail *j, u32 index) {
  for (u32 i = index; i < j->plan.h->op_count; i++) {
    u16 code = j->plan.ops[i].code;
    if (code == NSJ_OP_SECCOMP_LISTENER) return 1;
    if (code == NSJ_OP_EXEC_INIT) return 0;
  }
  return 0;
}

/* fork(): the child returns 0 and goes on with the plan; the parent stays to supervise it.
 * The mask is set before the fork so no forwarded signal can fall between the two. The
 * child's sync_read slot becomes a lifeline whose only write end the parent keeps, so a
 * later check_parent op sees this parent die; its listener slot, when the plan installs a
 * seccomp filter with a listener, one end of a socket to this parent. */
long op_fork_wait(struct nsj_jail *j, u32 index) {
  u64 forward = NSJ_FORWARD_MASK, none = 0;
  /* The command runs with our uid: unless we are non-dumpable it could ptrace us or open
   * /proc/1/fd and forge records on the status pipe we keep. Set before the fork, so there
   * is no window; the child becomes dumpable again when it execs the command. */
  SYS(PRCTL, NSJ_PR_SET_DUMPABLE, 0);
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &forward, 0, 8);
  i32 life[2] = { -1, -1 }, sock[2] = { -1, -1 };
  long sfd = SYS(SIGNALFD4, -1, &forward, 8, NSJ_SFD_CLOEXEC);
  long rc = sfd < 0 ? sfd : SYS(PIPE2, life, NSJ_O_CLOEXEC);
  if (rc >= 0 && wants_listener(j, index)) rc = SYS(SOCKETPAIR, NSJ_AF_UNIX, NSJ_SOCK_SEQPACKET | NSJ_SOCK_CLOEXEC, 0, sock);
  long child = rc < 0 ? rc : SYS(CLONE, NSJ_SIGCHLD, 0, 0, 0, 0);
  if (child <= 0) {
    i32 close_now[4] = { (i32)sfd, life[1], sock[0], child == 0 ? -1 : life[0] };
    for (int i = 0; i < 4; i++) if (close_now[i] >= 0) SYS(CLOSE, close_now[i]);
    if (child == 0) {
      j->fd[NSJ_SLOT_SYNC_READ] = life[0];
      j->fd[NSJ_SLOT_LISTENER] = sock[1];
    } else if (sock[1] >= 0) {
      SYS(CLOSE, sock[1]);
    }
    SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &none, 0, 8);
    return child;
  }
  SYS(CLOSE, life[0]);
  if (sock[1] >= 0) SYS(CLOSE, sock[1]);
  supervise(j, index, sfd, child, sock[0]);
}
