// Stage 1 (config): "did you mean" suggestions for unknown keys and names.

/** Typos of config words (the longest is CAP_CHECKPOINT_RESTORE) are short: a longer word gets
 * no suggestion, which keeps the edit-distance table small whatever the input. */
const MAX_WORD = 40;
/** A typo may change a third of the word, but always at least this many characters. */
const MIN_DISTANCE = 2;
/** A shared prefix this long or longer makes a plausible typo ("warning" for "warn"). */
const MIN_PREFIX = 3;

/** Levenshtein distance; both words are at most MAX_WORD long, so the O(n·m) table is small. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The closest candidate, if close enough to be a plausible typo. */
function closest(word: string, candidates: Iterable<string>): string | null {
  if (word.length > MAX_WORD) return null;
  const limit = Math.max(MIN_DISTANCE, Math.floor(word.length / 3));
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const k = c.toLowerCase();
    const prefix = Math.min(w.length, k.length) >= MIN_PREFIX && (w.startsWith(k) || k.startsWith(w));
    // Words whose lengths differ by more than the limit cannot be within it.
    const d = prefix ? 1 : Math.abs(w.length - k.length) > limit ? Infinity : editDistance(w, k);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= limit ? best : null;
}

/** " (did you mean 'x'?)" or "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hit = closest(word, candidates);
  return hit === null ? "" : ` (did you mean '${hit}'?)`;
}
