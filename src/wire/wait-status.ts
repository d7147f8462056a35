// Stage 3 (wire): raw wait statuses, as the kernel and the init report them → exit codes and words.

/** The command's code, or 128+N when signal N killed it (bash, bwrap and nsjail agree). */
export function exitCodeOf(waitStatus: number): number {
  const signal = waitStatus & 0x7f;
  return signal === 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
}

export function describeWaitStatus(waitStatus: number): string {
  const signal = waitStatus & 0x7f;
  return signal === 0 ? `exited with ${(waitStatus >> 8) & 0xff}` : `killed by signal ${signal}`;
}
