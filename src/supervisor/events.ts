// Stage 5 (supervisor): signal and timer hooks, injectable so tests drive them by hand.

export interface Events {
  on(signal: NodeJS.Signals, handler: () => void): void;
  off(signal: NodeJS.Signals, handler: () => void): void;
  setTimer(ms: number, fn: () => void): () => void;
}

export const processEvents: Events = {
  on: (s, h) => void process.on(s, h),
  off: (s, h) => void process.off(s, h),
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};
