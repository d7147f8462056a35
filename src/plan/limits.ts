// Stage 2 (plan): LimitsSpec → the child's rlimit, nice and CPU affinity ops. They must run
// while the jail's first process still holds its capabilities (raising a hard limit needs
// CAP_SYS_RESOURCE, lowering the nice level CAP_SYS_NICE), so they come before planCaps.
import type { LimitsSpec, RlimitName } from "../config/limits-model.ts";
import { op, type Op } from "./types.ts";

/** RLIMIT_* resource numbers (asm-generic/resource.h, the same on x86_64 and aarch64). */
export const RLIMIT: Record<RlimitName, number> = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, nproc: 6, nofile: 7, memlock: 8, as: 9,
  locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15,
};
export const RLIM_INFINITY = 0xffff_ffff_ffff_ffffn;
export const PRIO_PROCESS = 0;
/** The affinity mask travels as u32 words (plan integer arrays hold numbers below 2^53). */
const MASK_WORD_BITS = 32;

/** "0-3,6" from [0, 1, 2, 3, 6], for op notes. */
function cpuRanges(cpus: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    out.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

/** cpu_set_t as little-endian u32 words, trailing zero words dropped (the child zero-fills). */
function affinityMask(cpus: readonly number[]): number[] {
  const words: number[] = [];
  for (const cpu of cpus) {
    const w = Math.floor(cpu / MASK_WORD_BITS);
    while (words.length <= w) words.push(0);
    words[w] = (words[w]! | (1 << cpu % MASK_WORD_BITS)) >>> 0;
  }
  return words;
}

export function planLimits(limits: LimitsSpec): Op[] {
  const ops: Op[] = [];
  // rlimits first: an RLIMIT_NICE given here is what lets an unprivileged setpriority go lower.
  for (const { resource, soft, hard } of limits.rlimits) {
    const bound = (b: number | "inf") => (b === "inf" ? RLIM_INFINITY : b);
    ops.push(
      op("setrlimit", [RLIMIT[resource], bound(soft), bound(hard)], {
        path: `limits.rlimit_${resource}`,
        note: `setrlimit RLIMIT_${resource.toUpperCase()} ${soft}:${hard}`,
      }),
    );
  }
  if (limits.nice !== null) {
    ops.push(op("setpriority", [PRIO_PROCESS, 0, limits.nice], { path: "limits.nice", note: `setpriority nice ${limits.nice}` }));
  }
  if (limits.cpuAffinity !== null) {
    const note = `sched_setaffinity cpus ${cpuRanges(limits.cpuAffinity)}`;
    ops.push(op("sched_setaffinity", [affinityMask(limits.cpuAffinity)], { path: "limits.cpu_affinity", note }));
  }
  return ops;
}
