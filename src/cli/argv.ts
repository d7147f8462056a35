// CLI: the command line as the kernel passed it. Bun decodes argv as UTF-8 and turns invalid
// bytes into U+FFFD, so when a word holds one the words are read again from /proc/self/cmdline,
// byte for byte (invalid bytes ride as escapes, see sys/bytes.ts). Most runs never read it.
import { nodeReadFile } from "../config/read-file.ts";
import { decodeBytes } from "../sys/bytes.ts";

const REPLACEMENT = "\uFFFD";
/** The kernel keeps argv and envp together under a quarter of the stack limit; this is ample. */
const CMDLINE_MAX = 64 << 20;

/** `args` (process.argv without the executable and script), exactly as the kernel has them. */
export function exactArgv(args: string[]): string[] {
  if (!args.some((a) => a.includes(REPLACEMENT))) return args;
  try {
    const words = decodeBytes(nodeReadFile("/proc/self/cmdline", CMDLINE_MAX)).split("\0").slice(0, -1);
    // cmdline starts with the executable (and a script path when not compiled): ours come last.
    if (words.length >= args.length) return words.slice(words.length - args.length);
  } catch {
    // no /proc: keep Bun's decoding
  }
  return args;
}
