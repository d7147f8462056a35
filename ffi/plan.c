/* Stage 4 (trampoline): reading a plan — bounds-checked decoding shared by nsj_plan_check
 * (tests), the spawner and the image's entry point — and writing status records. */
#include "nsj.h"

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

/* [length, bytes…]: whole BPF instructions, at most the kernel's BPF_MAXINSNS of them. */
static int blob_ok(const char *tab, u64 len, u64 ref) {
  if (ref == 0 || (ref - 1) % 8 != 0 || ref - 1 + 8 > len) return 0;
  u64 n = *(const u64 *)(tab + ref - 1);
  return n % 8 == 0 && n / 8 <= NSJ_MAX_FILTER_INSNS && ref - 1 + 8 + n <= len;
}

static int arg_ok(const struct nsj_plan *p, char kind, u64 v) {
  u64 len = p->h->strtab_len;
  switch (kind) {
  case 's': return str_ok(p->strtab, len, v);
  case 'a': return arr_ok(p->strtab, len, v, 1);
  case 'n': return arr_ok(p->strtab, len, v, 0);
  case 'f': return v < NSJ_FD_SLOTS;
  case 'b': return blob_ok(p->strtab, len, v);
  }
  return 1;
}

/* Returns -1 when the whole plan is sound, -2 for a bad header, else the first bad record. */
long plan_decode(const u8 *buf, u64 len, struct nsj_plan *p) {
  const struct nsj_header *h = (const struct nsj_header *)buf;
  if (len < NSJ_HEADER_SIZE || h->magic != NSJ_PLAN_MAGIC || h->version != NSJ_PLAN_VERSION ||
      h->record_size != NSJ_RECORD_SIZE || h->op_count > NSJ_MAX_OPS)
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
    if (r->code == 0 || r->code >= NSJ_OP_COUNT || r->skip > h->op_count - i - 1) return i;
    const char *sig = nsj_op_signatures[r->code];
    for (int k = 0; sig[k]; k++)
      if (!arg_ok(p, sig[k], r->arg[k])) return i;
  }
  return -1;
}

void say(const char *s) { SYS(WRITE, 2, s, nsj_strlen(s)); }

/* Decimal text of v into buf (at least 21 bytes); returns buf. */
char *ltoa(long v, char *buf) {
  char tmp[20];
  int n = 0, at = 0;
  unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
  do tmp[n++] = '0' + u % 10; while (u /= 10);
  if (v < 0) buf[at++] = '-';
  while (n) buf[at++] = tmp[--n];
  buf[at] = 0;
  return buf;
}

/* An exec_wait failure: the program's wait status, as src/wire/wait-status.ts words it. */
static void say_wait_status(long status) {
  char num[24];
  int sig = status & 0x7f;
  say(sig == 0 ? "exited with " : "killed by signal ");
  say(ltoa(sig == 0 ? (status >> 8) & 0xff : sig, num));
}

/* With a parent listening, a fixed-size record; with none (exec mode: no status slot) the
 * process prints the line itself from the messages and errno names the plan carries. */
void report(const struct nsj_jail *j, u32 index, long err, u32 kind) {
  const struct nsj_plan *p = &j->plan;
  long fd = j->fd[NSJ_SLOT_STATUS];
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
  if (err >= NSJ_WAIT_FAILED) say_wait_status(err - NSJ_WAIT_FAILED);
  else say(names && err >= 0 && (u64)err < names[0] ? S(p, names[err + 1]) : "unknown errno");
  say("\n");
}
