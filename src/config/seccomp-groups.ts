// Stage 1 (config): named groups of syscalls for [seccomp] deny lists, written `@name` as in
// systemd's SystemCallFilter=. Data only; config/seccomp.ts expands them.

/**
 * `@dangerous`: syscalls that reach kernel code or state shared by the whole host, that an
 * ordinary program in a jail has no use for, and whose paths open to unprivileged callers have
 * a record of exploitable bugs. Capability checks already stop most of them in a jail without
 * capabilities; the filter is the second wall for when a jail keeps some, runs as host root,
 * or the kernel has a bug.
 *
 * Compared with Docker's default profile (D: blocks everything off its allow list, about 44
 * notable calls), firejail's `@default` group (F), and Google nsjail (which ships no list: its
 * example configs KILL ptrace and process_vm_readv/writev in a user-written Kafel policy):
 *
 * | syscall                            | D F | why it is here                                     |
 * | kexec_load, kexec_file_load        | x x | replace the running host kernel                    |
 * | reboot                             | x x | stop the host (or the jail's pid namespace)        |
 * | init_module, finit_module,         | x x | load or unload kernel code                         |
 * |   delete_module                    |     |                                                    |
 * | bpf                                | x x | programs run in the kernel; verifier bugs          |
 * | userfaultfd                        | x x | pauses a kernel copy mid-way: makes races reliable |
 * | keyctl, add_key, request_key       | x x | keyrings are not namespaced (a uid's keyring is    |
 * |                                    |     | shared across jails); long CVE record              |
 * | perf_event_open                    | x x | hardware counters and tracing: side channels, CVEs |
 * | open_by_handle_at                  | x x | opens any inode by handle, past bind mounts (the   |
 * |                                    |     | 2014 container breakout)                           |
 * | io_uring_setup, io_uring_enter,    | x . | runs opens, connects and more without making the   |
 * |   io_uring_register                |     | syscall, so a deny list would not see them; most   |
 * |                                    |     | kernel exploits in Google's kCTF rewards used it   |
 * |                                    |     | (Docker blocks it since 25.0)                      |
 * | iopl, ioperm (x86_64 only)         | x x | raw port I/O to the hardware                       |
 * | syslog                             | . x | the host's kernel log: leaks kernel addresses      |
 * | uselib                             | x x | obsolete a.out loader with a history of exploits   |
 *
 * Left out on purpose:
 * - ptrace, process_vm_readv/writev, kcmp: since Linux 4.8 a tracer cannot move a tracee past
 *   its filter, a jail's pid namespace only shows its own processes, and strace or gdb in a jail
 *   are legitimate (Docker allows ptrace on ≥ 4.8 for the same reason).
 * - mount, umount2, pivot_root, chroot, the new mount API, unshare, setns: they need
 *   CAP_SYS_ADMIN, which a jail has only when its config keeps it (the user asked for it) or
 *   inside a user namespace it made itself: `nested_userns = false` closes that door instead.
 * - name_to_handle_at: only reads a handle, which is useless without open_by_handle_at.
 * - clock_settime, settimeofday, swapon, acct, quotactl...: purely capability-gated host knobs
 *   with no unprivileged attack surface of note; a jail without capabilities cannot use them.
 */
const DANGEROUS = [
  "kexec_load", "kexec_file_load", "reboot",
  "init_module", "finit_module", "delete_module",
  "bpf", "userfaultfd",
  "keyctl", "add_key", "request_key",
  "perf_event_open", "open_by_handle_at",
  "io_uring_setup", "io_uring_enter", "io_uring_register",
  "iopl", "ioperm", "syslog", "uselib",
] as const;

export const SYSCALL_GROUPS: ReadonlyMap<string, readonly string[]> = new Map([["@dangerous", DANGEROUS]]);
