/* Stage 4 (trampoline): the spawner Bun loads — clone() the jail onto a private stack and run
 * the plan in the child — and the other symbols Bun calls. ffi/init.c is the other way in:
 * the same object exec'd from its sealed memfd as the jail's init, or as nsjail itself in
 * exec mode (see ffi/README.md).
 *
 * No system headers and no libc: a CLONE_VM child of a multi-threaded Bun process shares the
 * parent's TLS, so errno, stack protectors and malloc are all off limits. Every number comes
 * from build/nsj_wire.h, generated from src/plan/ops.ts, src/wire/format.ts and
 * src/sys/constants.ts. */
#include "nsj.h"

struct nsj_clone_args { u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup; };

#define NSJ_STACK_SIZE (256 * 1024)
#define NSJ_PAGE 4096

#if defined(__x86_64__)
/* clone3 with a fresh stack: the child starts with rax = 0 on that stack, calls fn(arg)
 * there and exits with its return value; it never returns into the parent's frames. */
__asm__(".text\n.globl nsj_clone3_raw\n.hidden nsj_clone3_raw\n.type nsj_clone3_raw,@function\n"
        "nsj_clone3_raw:\n mov %rdx, %r8\n mov %rcx, %r9\n mov $" NSJ_STR(NSJ_SYS_CLONE3) ", %eax\n"
        " syscall\n test %rax, %rax\n jnz 1f\n xor %ebp, %ebp\n mov %r9, %rdi\n call *%r8\n"
        " mov %eax, %edi\n mov $" NSJ_STR(NSJ_SYS_EXIT) ", %eax\n syscall\n hlt\n1: ret\n");
#elif defined(__aarch64__)
__asm__(".text\n.globl nsj_clone3_raw\n.hidden nsj_clone3_raw\n.type nsj_clone3_raw,%function\n"
        "nsj_clone3_raw:\n mov x10, x2\n mov x11, x3\n mov x8, #" NSJ_STR(NSJ_SYS_CLONE3) "\n svc 0\n"
        " cbnz x0, 1f\n mov x0, x11\n blr x10\n mov x8, #" NSJ_STR(NSJ_SYS_EXIT) "\n svc 0\n brk #0\n1: ret\n");
#endif

static int nsj_child(void *arg) {
  struct nsj_jail *j = arg;
  reset_signals();
  return run_plan(j, 0);
}

/* A vfork child must exec before anything that waits for the parent, which it suspends:
 * a plan that would wait first is refused rather than left to hang. */
static int execs_before_waiting(const struct nsj_plan *p) {
  for (u32 i = 0; i < p->h->op_count; i++) {
    if (p->ops[i].code == NSJ_OP_EXEC_IMAGE) return 1;
    if (p->ops[i].code == NSJ_OP_WAIT_PARENT) return 0;
  }
  return 1;
}

/* Clones the jail with CLONE_VM | CLONE_VFORK: the calling thread sleeps until the child has
 * exec'd (exec_image, its first ops) or died, so nothing of the parent's runs or changes
 * meanwhile. The child runs on a private stack in one mapping that also holds a copy of the
 * plan and of the fd table (`nfds` numbers, one per slot), so it never touches memory the
 * Bun parent may free or move; the mapping is gone again when this returns. */
NSJ_API long nsj_spawn(const u8 *buf, u64 len, const i32 *fds, long nfds) {
  struct nsj_plan check;
  if (nfds != NSJ_FD_SLOTS || plan_decode(buf, len, &check) != -1 || !execs_before_waiting(&check)) return -NSJ_EINVAL;
  u64 ctx_off = NSJ_STACK_SIZE, plan_off = ctx_off + ((sizeof(struct nsj_jail) + 15) & ~15ul);
  u64 size = (plan_off + len + NSJ_PAGE - 1) & ~(u64)(NSJ_PAGE - 1);
  long base = SYS(MMAP, 0, size, NSJ_PROT_READ | NSJ_PROT_WRITE, NSJ_MAP_PRIVATE | NSJ_MAP_ANONYMOUS | NSJ_MAP_STACK, -1, 0);
  if (base < 0 && base > -4096) return base;
  SYS(MPROTECT, base, NSJ_PAGE, NSJ_PROT_NONE); /* guard page below the stack */
  u8 *copy = (u8 *)base + plan_off;
  for (u64 i = 0; i < len; i++) copy[i] = buf[i];
  struct nsj_jail *j = (struct nsj_jail *)((u8 *)base + ctx_off);
  plan_decode(copy, len, &j->plan);
  for (int i = 0; i < NSJ_FD_SLOTS; i++) j->fd[i] = fds[i];
  struct nsj_clone_args args = { 0 };
  args.flags = j->plan.h->clone_flags | NSJ_CLONE_VM | NSJ_CLONE_VFORK;
  args.exit_signal = NSJ_SIGCHLD;
  args.stack = (u64)base;
  args.stack_size = NSJ_STACK_SIZE;
  u64 all = ~0ul, old = 0;
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &all, &old, 8);
  extern long nsj_clone3_raw(struct nsj_clone_args *, u64, int (*)(void *), void *);
  long pid = nsj_clone3_raw(&args, sizeof args, nsj_child, j);
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &old, 0, 8);
  SYS(MUNMAP, base, size);
  return pid;
}

NSJ_API long nsj_plan_check(const u8 *buf, u64 len) {
  struct nsj_plan p;
  return plan_decode(buf, len, &p);
}

/* Parent-side raw syscall for src/sys/ffi.ts: returns -errno, so JS never reads libc's errno. */
NSJ_API long nsj_syscall(long n, long a, long b, long c, long d, long e) { return sys6(n, a, b, c, d, e, 0); }
