// Stage 1 (config): how this stage reads host files (the config, /etc/passwd, cap_last_cap).
// `nsjail run` hands in its raw-syscall reader, because merely loading node:fs costs ~0.9 ms
// of a jail start (docs/performance.md); tests and `check` use node:fs, loaded on first use.

/** Reads a whole file; throws an Error whose `code` is the errno name (ENOENT, EACCES, …). */
export type ReadFile = (path: string) => Uint8Array;

export const nodeReadFile: ReadFile = (path) => (require("node:fs") as typeof import("node:fs")).readFileSync(path);

export const decodeUtf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
