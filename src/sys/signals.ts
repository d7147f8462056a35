// Kernel facts about signals: their names, the same on x86_64 and aarch64 (asm-generic).

const NAMES = ["", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
  "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"];
/** The C library reserves 32 and 33; SIGRTMIN as programs see it is 34. */
const RTMIN = 34;

/** `SIGTERM` for 15, `SIGRTMIN+2` for 36. */
export function signalName(signal: number): string {
  if (NAMES[signal]) return `SIG${NAMES[signal]}`;
  return signal >= RTMIN ? `SIGRTMIN+${signal - RTMIN}` : `signal ${signal}`;
}
