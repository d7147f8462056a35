/* Stage 4 (trampoline): the image's own entry point. Exec'd from the sealed memfd it is the
 * jail's init (PID 1: forks the command, forwards signals, reaps) or, in exec mode, nsjail
 * itself running the whole plan. Same rules as spawn.c: raw syscalls only. */
#include "nsj.h"

#if defined(__x86_64__)
__asm__(".text\n.globl nsj_start\n.hidden nsj_start\n.type nsj_start,@function\n"
        "nsj_start:\n xor %ebp, %ebp\n mov %rsp, %rdi\n and $-16, %rsp\n call nsj_init_main\n hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.globl nsj_start\n.hidden nsj_start\n.type nsj_start,%function\n"
        "nsj_start:\n mov x0, sp\n bl nsj_init_main\n brk #0\n");
#endif

static long parse_long(const char *s) {
  long v = 0, sign = *s == '-' ? -1 : 1;
  if (sign < 0) s++;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return sign * v;
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static __attribute__((noreturn)) void bad_argv(void) {
  say("nsjail: the jail's init could not read its plan\n");
  SYS(EXIT_GROUP, NSJ_EXIT_SETUP);
  __builtin_unreachable();
}

/* argv: NAME START_OP FD... (one fd number per slot). As "nsjail-init" it is PID 1 of the
 * jail: it forks the command's process, which runs ops from START_OP, and supervises it. As
 * "nsjail-exec" it has replaced nsjail itself and runs the whole plan in this very process;
 * as "nsjail-setup" it is a freshly cloned jail that left nsjail's memory (exec_image) and
 * runs the rest of its plan here. */
__attribute__((used, noreturn)) void nsj_init_main(long *sp) {
  long argc = sp[0];
  const char **argv = (const char **)(sp + 1);
  if (argc != 2 + NSJ_FD_SLOTS) bad_argv();
  struct nsj_jail j;
  long start = parse_long(argv[1]);
  for (int i = 0; i < NSJ_FD_SLOTS; i++) j.fd[i] = parse_long(argv[2 + i]);
  int setup = streq(argv[0], "nsjail-setup");
  int inplace = setup || streq(argv[0], "nsjail-exec");
  long plan_fd = j.fd[NSJ_SLOT_PLAN];
  long len = SYS(LSEEK, plan_fd, 0, NSJ_SEEK_END);
  long map = SYS(MMAP, 0, len, NSJ_PROT_READ, NSJ_MAP_PRIVATE, plan_fd, 0);
  if (len <= 0 || (map < 0 && map > -4096) || plan_decode((const u8 *)map, len, &j.plan) != -1) bad_argv();
  /* exec_image let every slot cross; none may cross the next exec unless an op says so */
  for (int i = 0; setup && i < NSJ_FD_SLOTS; i++)
    if (j.fd[i] >= 0) SYS(FCNTL, j.fd[i], NSJ_F_SETFD, NSJ_FD_CLOEXEC);
  /* The exec is over (the kernel wakes the vfork parent before it makes the new mm dumpable):
   * now our /proc files are ours, and the parent may write our maps. */
  if (setup) report(&j, start, 0, NSJ_STATUS_STARTED);
  if (inplace) {
    reset_signals(); /* Bun's ignored signals would otherwise survive into the command */
    SYS(EXIT_GROUP, run_plan(&j, start)); /* keeps the plan fd: it may exec an init */
  }
  SYS(CLOSE, plan_fd);
  j.fd[NSJ_SLOT_PLAN] = -1;
  report(&j, start, 0, NSJ_STATUS_READY);
  long rc = op_fork_wait(&j, start);
  if (rc < 0) {
    report(&j, start, -rc, NSJ_STATUS_ERROR);
    SYS(EXIT_GROUP, NSJ_EXIT_SETUP);
  }
  SYS(EXIT_GROUP, run_plan(&j, start));
  __builtin_unreachable();
}
