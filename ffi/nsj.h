/* Shared by every file in ffi/: raw syscalls, the plan's C view, and the functions the files
 * call across. Calls go one way: init.c and spawn.c → ops.c → fs.c, reaper.c → plan.c.
 * No system headers: see spawn.c for why. */
#pragma once
#include "nsj_wire.h"

#ifndef NSJ_OP_EXECVE
#error "nsj_wire.h is stale: regenerate it with scripts/gen-wire-h.ts"
#endif

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long u64;

#define NSJ_API __attribute__((visibility("default")))
#define NSJ_STR2(x) #x
#define NSJ_STR(x) NSJ_STR2(x)
#define NSJ_EXIT_SETUP 255

#if defined(__x86_64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
}
#else
#error "nsjail: no raw syscall for this architecture"
#endif

/* SYS(NAME, args...): the raw syscall NSJ_SYS_NAME with up to six arguments. */
#define SYS_(n, a, b, c, d, e, f, ...) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define SYS(n, ...) SYS_(NSJ_SYS_##n, __VA_ARGS__, 0, 0, 0, 0, 0, 0)

struct nsj_header { u32 magic; u16 version, record_size; u32 op_count, strtab_off, strtab_len, messages; u64 clone_flags; u32 errnames, reserved; };
struct nsj_record { u16 code, flags; u32 skip; u64 arg[NSJ_RECORD_ARGS]; };
struct nsj_status { u32 op_index; i32 err; u32 kind; };
struct nsj_plan { const struct nsj_header *h; const struct nsj_record *ops; const char *strtab; };
/* A plan and the fd numbers its slots stand for in this process (-1: none). pid_env is
 * "NAME=<pid>" once a getpid op has run (empty before): execve appends it to the environment. */
#define NSJ_PID_ENV_SIZE 64
struct nsj_jail { struct nsj_plan plan; long fd[NSJ_FD_SLOTS]; char pid_env[NSJ_PID_ENV_SIZE]; };

static inline u64 nsj_strlen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }

static inline const char *S(const struct nsj_plan *p, u64 ref) { return ref ? p->strtab + ref - 1 : 0; }
static inline const u64 *A(const struct nsj_plan *p, u64 ref) { return (const u64 *)(p->strtab + ref - 1); }

/* plan.c */
long plan_decode(const u8 *buf, u64 len, struct nsj_plan *p);
void say(const char *s);
char *ltoa(long v, char *buf);
void report(const struct nsj_jail *j, u32 index, long err, u32 kind);
/* fs.c */
long op_open_tree(struct nsj_jail *j, const u64 *a);
long op_openat2(struct nsj_jail *j, const u64 *a);
long op_fsopen(struct nsj_jail *j, const u64 *a);
long op_fsmount(struct nsj_jail *j, const u64 *a);
long op_mount_setattr(struct nsj_jail *j, const u64 *a);
long op_mkdirat(struct nsj_jail *j, const u64 *a);
long op_write(struct nsj_jail *j, const u64 *a);
long op_copy_fd(struct nsj_jail *j, const u64 *a);
/* reaper.c */
void reset_signals(void);
long op_fork_wait(struct nsj_jail *j, u32 index);
/* ops.c */
int run_plan(struct nsj_jail *j, u32 start);
