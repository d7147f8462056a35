/* Test helper for test/integration/seccomp.test.ts: installs a seccomp filter read from a file
 * (after PR_SET_NO_NEW_PRIVS, as a jail does), then either execs a command or makes one raw
 * syscall and exits with its errno. Freestanding and static, with no libc, so that nothing but
 * the filter under test stands between it and the kernel. Syscall numbers come as -DNR_*.
 *
 *   seccomp-exec FILTER|- exec PROGRAM ARGS...
 *   seccomp-exec FILTER|- call NR ARG0        exit status: errno of the call, 0 on success
 * Exit 200+n: the helper itself failed at step n (see fail()). */

#if defined(__x86_64__)
__asm__(".text\n.globl _start\n_start:\n xor %ebp, %ebp\n mov %rsp, %rdi\n and $-16, %rsp\n call start_c\n hlt\n");
static long sys(long n, long a, long b, long c, long d, long e) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
__asm__(".text\n.globl _start\n_start:\n mov x0, sp\n bl start_c\n brk #0\n");
static long sys(long n, long a, long b, long c, long d, long e) {
  register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c, x3 __asm__("x3") = d, x4 __asm__("x4") = e;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
}
#else
#error "seccomp-exec: no raw syscall for this architecture"
#endif

#define PR_SET_NO_NEW_PRIVS 38
#define SECCOMP_SET_MODE_FILTER 1
#define AT_FDCWD (-100)

static unsigned char program[4096 * 8];

static void fail(long step) {
  sys(NR_exit_group, 200 + step, 0, 0, 0, 0);
}

static long number(const char *s) {
  unsigned long base = 10, v = 0;
  if (s[0] == '0' && s[1] == 'x') base = 16, s += 2;
  for (; *s; s++) v = v * base + (unsigned long)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
  return (long)v;
}

static void install(const char *path) {
  if (path[0] == '-' && path[1] == 0) return;
  long fd = sys(NR_openat, AT_FDCWD, (long)path, 0, 0, 0);
  if (fd < 0) fail(1);
  long len = 0, n;
  while ((n = sys(NR_read, fd, (long)program + len, sizeof program - len, 0, 0)) > 0) len += n;
  if (n < 0 || len == 0 || len % 8 != 0) fail(2);
  sys(NR_close, fd, 0, 0, 0, 0);
  struct { unsigned short len; const void *filter; } prog = { (unsigned short)(len / 8), program };
  if (sys(NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(3);
  if (sys(NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog, 0, 0) != 0) fail(4);
}

__attribute__((used)) void start_c(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
  if (argc < 4) fail(6);
  install(argv[1]);
  if (argv[2][0] == 'e') {
    sys(NR_execve, (long)argv[3], (long)(argv + 3), (long)envp, 0, 0);
    fail(5);
  }
  long ret = sys(number(argv[3]), argc > 4 ? number(argv[4]) : 0, 0, 0, 0, 0);
  sys(NR_exit_group, ret < 0 ? -ret : 0, 0, 0, 0, 0);
}
