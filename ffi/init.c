/* Stage 4 (trampoline): the image's own entry point. Exec'd from the sealed memfd it is the
 * jail's init (PID 1: forks the command, forwards signals, reaps) or, in exec mode, nsjail
 * itself running the whole plan. Same rules as trampoline.c: raw syscalls only. */
#include "nsj.h"

#if defined(__x86_64__)
__asm__(".text\n.globl nsj_start\n.hidden nsj_start\n.type nsj_start,@function\n"
        "nsj_start:\n xor %ebp, %ebp\n mov %rsp, %rdi\n and $-16, %rsp\n call nsj_init_main\n hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.globl nsj_start\n.hidden nsj_start\n.type nsj_start,%function\n"
        "nsj_start:\n mov x0, sp\n bl nsj_init_main\n brk #0\n");
#endif

/* ---- the jail's init: PID 1 with its own tiny address space ---- */

static long parse_long(const char *s) {
  long v = 0, sign = *s == '-' ? -1 : 1;
  if (sign < 0) s++;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return sign * v;
}

static int exit_code(int status) {
  return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}

/* The waiting parent: forwards the forwarded signals to the child, reaps orphans, and exits
 * with the child's status. Signals are already blocked and routed to sfd. */
__attribute__((noreturn)) static void supervise(const struct nsj_plan *p, u32 index, long status_fd, long sfd, long child) {
  for (;;) {
    u32 info[32];
    if (SYS(READ, sfd, info, sizeof info) != sizeof info) continue;
    if (info[0] != NSJ_SIGCHLD) {
      SYS(KILL, child, info[0]);
      continue;
    }
    int status;
    long pid;
    while ((pid = SYS(WAIT4, -1, &status, NSJ_WNOHANG, 0)) > 0) {
      if (pid != child) continue;
      report(p, status_fd, index, status, NSJ_STATUS_EXIT);
      SYS(EXIT_GROUP, exit_code(status));
    }
  }
}

/* fork(): the child returns 0 and goes on with the plan; the parent stays to supervise it.
 * The mask is set before the fork so no forwarded signal can fall between the two. */
long op_fork_wait(const struct nsj_plan *p, u32 index, long status_fd) {
  u64 forward = NSJ_FORWARD_MASK, none = 0;
  /* The command runs with our uid: unless we are non-dumpable it could ptrace us or open
   * /proc/1/fd and forge records on the status pipe we keep. Set before the fork, so there
   * is no window; the child becomes dumpable again when it execs the command. */
  SYS(PRCTL, NSJ_PR_SET_DUMPABLE, 0);
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &forward, 0, 8);
  long sfd = SYS(SIGNALFD4, -1, &forward, 8, NSJ_SFD_CLOEXEC);
  long child = sfd < 0 ? sfd : SYS(CLONE, NSJ_SIGCHLD, 0, 0, 0, 0);
  if (child <= 0) {
    if (sfd >= 0) SYS(CLOSE, sfd);
    SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &none, 0, 8);
    return child;
  }
  supervise(p, index, status_fd, sfd, child);
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* argv: NAME PLAN_FD START_OP STATUS_FD. As "nsjail-init" it is PID 1 of the jail: it forks
 * the command's process, which runs ops from START_OP, and supervises it. As "nsjail-exec"
 * it has replaced nsjail itself and runs the whole plan in this very process. */
__attribute__((used, noreturn)) void nsj_init_main(long *sp) {
  const char **argv = (const char **)(sp + 1);
  long plan_fd = parse_long(argv[1]), start = parse_long(argv[2]), status_fd = parse_long(argv[3]);
  int standalone = streq(argv[0], "nsjail-exec");
  long len = SYS(LSEEK, plan_fd, 0, NSJ_SEEK_END);
  long map = SYS(MMAP, 0, len, NSJ_PROT_READ, NSJ_MAP_PRIVATE, plan_fd, 0);
  if (!standalone) SYS(CLOSE, plan_fd); /* exec mode may still hand it to an init */
  struct nsj_plan plan;
  if (len <= 0 || (map < 0 && map > -4096) || plan_decode((const u8 *)map, len, &plan) != -1) {
    say("nsjail: the jail's init could not read its plan\n");
    SYS(EXIT_GROUP, NSJ_EXIT_SETUP);
  }
  if (standalone) {
    reset_signals(); /* Bun's ignored signals would otherwise survive into the command */
    SYS(EXIT_GROUP, run_plan(&plan, start, status_fd));
  }
  report(&plan, status_fd, start, 0, NSJ_STATUS_READY);
  long rc = op_fork_wait(&plan, start, status_fd);
  if (rc < 0) {
    report(&plan, status_fd, start, -rc, NSJ_STATUS_ERROR);
    SYS(EXIT_GROUP, NSJ_EXIT_SETUP);
  }
  SYS(EXIT_GROUP, run_plan(&plan, start, status_fd));
  __builtin_unreachable();
}
