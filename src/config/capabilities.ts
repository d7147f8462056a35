// Stage 1 (config): Linux capability names ↔ numbers (include/uapi/linux/capability.h).
// The table is the kernel's; whether this kernel knows a cap is checked against cap_last_cap.

export const CAPABILITIES: readonly string[] = [
  "CAP_CHOWN", // 0
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL", // 5
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE", // 10
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER", // 15
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT", // 20
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME", // 25
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL", // 30
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM", // 35
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE", // 40
];

const PREFIX = "CAP_";

/** `net_bind_service`, `Cap_Net_Bind_Service` → `CAP_NET_BIND_SERVICE`, known or not. */
export function capFullName(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith(PREFIX) ? upper : `${PREFIX}${upper}`;
}

/** `net_bind_service`, `CAP_NET_BIND_SERVICE`, `Cap_Net_Bind_Service` → 10; unknown → null. */
export function capNumber(name: string): number | null {
  const n = CAPABILITIES.indexOf(capFullName(name));
  return n < 0 ? null : n;
}

export function capName(n: number): string {
  return CAPABILITIES[n] ?? `cap ${n}`;
}
