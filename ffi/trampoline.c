/* Stage 4 (trampoline): clone() the jail and run the plan's ops in the child, one raw syscall
 * each, then execve. ffi/init.c holds the other entry point: the same object exec'd from its
 * sealed memfd as the jail's init, or as nsjail itself in exec mode (see ffi/README.md).
 *
 * No system headers and no libc: a CLONE_VM child of a multi-threaded Bun process shares the
 * parent's TLS, so errno, stack protectors and malloc are all off limits. Every number comes
 * from build/nsj_wire.h, generated from src/plan/wire.ts and src/sys/constants.ts. */
#include "nsj.h"

struct nsj_spawn_ctx { struct nsj_plan plan; long status_fd; };
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

/* ---- decoding: shared by nsj_plan_check (tests) and both entry points ---- */

static int str_ok(const char *tab, u64 len, u64 ref) {
  if (ref == 0) return 1;
  for (u64 i = ref - 1; i < len; i++) if (tab[i] == 0) return 1;
  return 0;
}

static int arr_ok(const char *tab, u64 len, u64 ref, int strings) {
  if (ref == 0 || (ref - 1) % 8 != 0 || ref - 1 + 8 > len) return 0;
  const u64 *a = (const u64 *)(tab + ref - 1);
  u64 max = strings ? NSJ_MAX_EXEC_STRINGS : NSJ_MAX_GROUPS;
  if (a[0] > max || ref - 1 + 8 * (a[0] + 1) > len) return 0;
  for (u64 i = 1; strings && i <= a[0]; i++) if (a[i] == 0 || !str_ok(tab, len, a[i])) return 0;
  return 1;
}

/* Returns -1 when the whole plan is sound, -2 for a bad header, else the first bad record. */
long plan_decode(const u8 *buf, u64 len, struct nsj_plan *p) {
  const struct nsj_header *h = (const struct nsj_header *)buf;
  if (len < NSJ_HEADER_SIZE || h->magic != NSJ_PLAN_MAGIC || h->version != NSJ_PLAN_VERSION ||
      h->record_size != NSJ_RECORD_SIZE || h->op_count > 65536)
    return -2;
  u64 ops_end = NSJ_HEADER_SIZE + (u64)h->op_count * NSJ_RECORD_SIZE;
  if (ops_end > h->strtab_off || (u64)h->strtab_off + h->strtab_len > len) return -2;
  p->h = h;
  p->ops = (const struct nsj_record *)(buf + NSJ_HEADER_SIZE);
  p->strtab = (const char *)buf + h->strtab_off;
  if ((h->messages && (!arr_ok(p->strtab, h->strtab_len, h->messages, 1) ||
                       ((const u64 *)(p->strtab + h->messages - 1))[0] != h->op_count)) ||
      (h->errnames && !arr_ok(p->strtab, h->strtab_len, h->errnames, 1)))
    return -2;
  for (u32 i = 0; i < h->op_count; i++) {
    const struct nsj_record *r = &p->ops[i];
    if (r->code == 0 || r->code >= NSJ_OP_COUNT) return i;
    const char *sig = nsj_op_signatures[r->code];
    for (int k = 0; sig[k]; k++) {
      u64 v = r->arg[k];
      int ok = sig[k] == 's' ? str_ok(p->strtab, h->strtab_len, v)
             : sig[k] == 'a' ? arr_ok(p->strtab, h->strtab_len, v, 1)
             : sig[k] == 'n' ? arr_ok(p->strtab, h->strtab_len, v, 0) : 1;
      if (!ok) return i;
    }
  }
  return -1;
}


/* ---- op handlers: one syscall each (plus open/close where the kernel wants an fd) ---- */

void say(const char *s) { SYS(WRITE, 2, s, nsj_strlen(s)); }

/* With a parent listening, a fixed-size record; with none (exec mode, status_fd < 0) the
 * child prints the line itself from the messages and errno names the plan carries. */
void report(const struct nsj_plan *p, long fd, u32 index, long err, u32 kind) {
  if (fd >= 0) {
    struct nsj_status s = { index, (i32)err, kind };
    SYS(WRITE, fd, &s, sizeof s);
    return;
  }
  if (kind != NSJ_STATUS_ERROR && kind != NSJ_STATUS_WARNING) return;
  const u64 *msgs = p->h->messages ? A(p, p->h->messages) : 0;
  const u64 *names = p->h->errnames ? A(p, p->h->errnames) : 0;
  say(kind == NSJ_STATUS_ERROR ? "nsjail: " : "nsjail: warn: ");
  say(msgs && index < msgs[0] ? S(p, msgs[index + 1]) : "plan ended without execve");
  say(": ");
  say(names && err >= 0 && (u64)err < names[0] ? S(p, names[err + 1]) : "unknown errno");
  say("\n");
}

static long op_write_file(const char *path, const char *data) {
  long fd = SYS(OPENAT, NSJ_AT_FDCWD, path, NSJ_O_WRONLY | NSJ_O_CLOEXEC, 0);
  if (fd < 0) return fd;
  u64 len = nsj_strlen(data);
  long n = SYS(WRITE, fd, data, len);
  SYS(CLOSE, fd);
  return n < 0 ? n : (u64)n == len ? 0 : -NSJ_EIO;
}

static long op_wait_parent(long fd) {
  char c;
  long n;
  do n = SYS(READ, fd, &c, 1); while (n == -NSJ_EINTR);
  SYS(CLOSE, fd);
  return n < 0 ? n : n == 1 ? 0 : -NSJ_ECHILD; /* EOF: the parent died or gave up on us */
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

/* execvp without libc: a name with no '/' is tried in each PATH directory, as execvp does,
 * remembering EACCES so that "found but not executable" is not reported as ENOENT. */
static long op_execve(const struct nsj_plan *p, const u64 *arg) {
  const char *path = S(p, arg[0]), *search = S(p, arg[3]);
  const u64 *av = A(p, arg[1]), *ev = A(p, arg[2]);
  if (av[0] + ev[0] > NSJ_MAX_EXEC_STRINGS) return -NSJ_E2BIG;
  const char *argv[NSJ_MAX_EXEC_STRINGS + 2];
  const char **envp = argv + av[0] + 1;
  fill_ptrs(p, av, argv);
  fill_ptrs(p, ev, envp);
  int has_slash = 0;
  for (const char *c = path; *c; c++) has_slash |= *c == '/';
  if (has_slash || !search) return SYS(EXECVE, path, argv, envp);
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
      long rc = SYS(EXECVE, buf, argv, envp);
      if (rc == -NSJ_EACCES) err = rc;
      else if (rc != -NSJ_ENOENT && rc != -NSJ_ENOTDIR) return rc;
    }
    if (!dir[n]) return err;
    dir += n + 1;
  }
}

static long op_exec_init(const struct nsj_plan *p, const u64 *arg) {
  const u64 *av = A(p, arg[1]);
  const char *argv[16];
  const char *envp[1] = { 0 };
  if (av[0] > 14) return -NSJ_E2BIG;
  fill_ptrs(p, av, argv);
  return SYS(EXECVEAT, arg[0], "", argv, envp, NSJ_AT_EMPTY_PATH);
}

static long op_run(const struct nsj_plan *p, const struct nsj_record *r, u32 index, long status_fd) {
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
  case NSJ_OP_WAIT_PARENT: return op_wait_parent(a[0]);
  case NSJ_OP_SETSID: return SYS(SETSID, 0);
  case NSJ_OP_CLOSE_RANGE: return SYS(CLOSE_RANGE, a[0], a[1], a[2]);
  case NSJ_OP_FCNTL: return SYS(FCNTL, a[0], a[1], a[2]);
  case NSJ_OP_SETRLIMIT: { u64 lim[2] = { a[1], a[2] }; return SYS(PRLIMIT64, 0, a[0], lim, 0); }
  case NSJ_OP_UNSHARE: return SYS(UNSHARE, a[0]);
  case NSJ_OP_IF_UP: return op_if_up(S(p, a[0]));
  case NSJ_OP_EXEC_INIT: return op_exec_init(p, a);
  case NSJ_OP_EXECVE: return op_execve(p, a);
  case NSJ_OP_CLOSE: return SYS(CLOSE, a[0]);
  case NSJ_OP_FORK_WAIT: return op_fork_wait(p, index, status_fd);
  }
  return -NSJ_EINVAL;
}

/* Runs ops [start, count). Only a successful execve leaves this loop. */
int run_plan(const struct nsj_plan *p, u32 start, long status_fd) {
  for (u32 i = start; i < p->h->op_count; i++) {
    const struct nsj_record *r = &p->ops[i];
    long rc = op_run(p, r, i, status_fd);
    if (rc >= 0) continue;
    int optional = r->flags & NSJ_OP_FLAG_OPTIONAL;
    report(p, status_fd, i, -rc, optional ? NSJ_STATUS_WARNING : NSJ_STATUS_ERROR);
    if (!optional) return NSJ_EXIT_SETUP;
  }
  report(p, status_fd, p->h->op_count, NSJ_EINVAL, NSJ_STATUS_ERROR);
  return NSJ_EXIT_SETUP;
}

/* ---- the CLONE_VM child: Bun's handlers must not survive into it (posix_spawn recipe) ---- */

void reset_signals(void) {
  struct { u64 handler, flags, restorer, mask; } dfl = { 0, 0, 0, 0 };
  for (long sig = 1; sig <= NSJ_NSIG; sig++)
    if (sig != NSJ_SIGKILL && sig != NSJ_SIGSTOP) SYS(RT_SIGACTION, sig, &dfl, 0, 8);
  u64 none = 0;
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &none, 0, 8);
}

static int nsj_child(void *arg) {
  struct nsj_spawn_ctx *ctx = arg;
  reset_signals();
  return run_plan(&ctx->plan, 0, ctx->status_fd);
}

/* Clones the jail. The child runs on a private stack in one mapping that also holds a copy
 * of the plan, so it never touches memory the Bun parent may free or move. The mapping is
 * handed back through region[0..1]; release it once the child has exec'd or died. */
NSJ_API long nsj_spawn(const u8 *buf, u64 len, long status_fd, u64 *region) {
  struct nsj_plan check;
  if (plan_decode(buf, len, &check) != -1) return -NSJ_EINVAL;
  u64 ctx_off = NSJ_STACK_SIZE, plan_off = ctx_off + ((sizeof(struct nsj_spawn_ctx) + 15) & ~15ul);
  u64 size = (plan_off + len + NSJ_PAGE - 1) & ~(u64)(NSJ_PAGE - 1);
  long base = SYS(MMAP, 0, size, NSJ_PROT_READ | NSJ_PROT_WRITE, NSJ_MAP_PRIVATE | NSJ_MAP_ANONYMOUS | NSJ_MAP_STACK, -1, 0);
  if (base < 0 && base > -4096) return base;
  SYS(MPROTECT, base, NSJ_PAGE, NSJ_PROT_NONE); /* guard page below the stack */
  u8 *copy = (u8 *)base + plan_off;
  for (u64 i = 0; i < len; i++) copy[i] = buf[i];
  struct nsj_spawn_ctx *ctx = (struct nsj_spawn_ctx *)((u8 *)base + ctx_off);
  plan_decode(copy, len, &ctx->plan);
  ctx->status_fd = status_fd;
  struct nsj_clone_args args = { 0 };
  args.flags = ctx->plan.h->clone_flags | NSJ_CLONE_VM;
  args.exit_signal = NSJ_SIGCHLD;
  args.stack = (u64)base;
  args.stack_size = NSJ_STACK_SIZE;
  u64 all = ~0ul, old = 0;
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &all, &old, 8);
  extern long nsj_clone3_raw(struct nsj_clone_args *, u64, int (*)(void *), void *);
  long pid = nsj_clone3_raw(&args, sizeof args, nsj_child, ctx);
  SYS(RT_SIGPROCMASK, NSJ_SIG_SETMASK, &old, 0, 8);
  if (pid < 0) {
    SYS(MUNMAP, base, size);
    return pid;
  }
  region[0] = (u64)base;
  region[1] = size;
  return pid;
}

NSJ_API long nsj_release(u64 base, u64 size) { return SYS(MUNMAP, base, size); }

NSJ_API long nsj_plan_check(const u8 *buf, u64 len) {
  struct nsj_plan p;
  return plan_decode(buf, len, &p);
}

/* Parent-side raw syscall for src/sys/ffi.ts: returns -errno, so JS never reads libc's errno. */
NSJ_API long nsj_syscall(long n, long a, long b, long c, long d, long e) { return sys6(n, a, b, c, d, e, 0); }

