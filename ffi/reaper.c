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

/* Signals are already blocked and routed to sfd. */
__attribute__((noreturn)) static void supervise(const struct nsj_jail *j, u32 index, long sfd, long child) {
  for (;;) {
    u32 info[32];
    if (SYS(READ, sfd, info, sizeof info) != sizeof info) continue;
    if (info[0] != NSJ_SIGCHLD) {
      SYS(KILL, child, info[0]);
      SYS(KILL, child, NSJ_SIGCONT); /* a stopped command would hold it pending forever */
      continue;
    }
    int status;
    long pid;
    while ((pid = SYS(WAIT4, -1, &status, NSJ_WNOHANG, 0)) > 0) {
      if (pid != child) continue;
      report(j, index, status, NSJ_STATUS_EXIT);
      SYS(EXIT_GROUP, exit_code(status));
    }
  }
}

/* fork(): the child returns 0 and goes on with the plan; the parent stays to supervise it.
 * The mask is set before the fork so no forwarded signal can fall between the two. The
 * child's sync_read slot becomes a lifeline whose only write end the parent keeps, so a
 * later check_parent op sees this parent die. */
long op_fork_wait(struct nsj_jail *j, u32 index) {
  u64 forward = NSJ_FORWARD_MASK, none = 0;
  /* The command runs with our uid: unless we are non-dumpable it could ptrace us or open
   * /proc/1/fd and forge records on the status pipe we keep. Set before the fork, so there
   * is no window; the child becomes dumpable again when it execs the command. */
  SYS(PRCTL, NSJ_PR_SET_DUMPABLE, 0);
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &forward, 0, 8);
  i32 life[2] = { -1, -1 };
  long sfd = SYS(SIGNALFD4, -1, &forward, 8, NSJ_SFD_CLOEXEC);
  long rc = sfd < 0 ? sfd : SYS(PIPE2, life, NSJ_O_CLOEXEC);
  long child = rc < 0 ? rc : SYS(CLONE, NSJ_SIGCHLD, 0, 0, 0, 0);
  if (child <= 0) {
    if (sfd >= 0) SYS(CLOSE, sfd);
    if (life[1] >= 0) SYS(CLOSE, life[1]);
    if (child == 0) j->fd[NSJ_SLOT_SYNC_READ] = life[0];
    else if (life[0] >= 0) SYS(CLOSE, life[0]);
    SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &none, 0, 8);
    return child;
  }
  SYS(CLOSE, life[0]);
  /* Only the command's process holds these: the pty's slave (a hang-up reaches nsjail once
   * the jail's last user of it is gone) and the exec watch (EOF once the command has exec'd). */
  long mine[2] = { j->fd[NSJ_SLOT_PTY], j->fd[NSJ_SLOT_EXEC_WATCH] };
  for (int i = 0; i < 2; i++)
    if (mine[i] >= 0) SYS(CLOSE, mine[i]);
  supervise(j, index, sfd, child);
}
