// Stage 1 (config): the command's terminal — `pty` gives it a pseudo-terminal of its own,
// relayed by nsjail to the caller's: its key, default and rule.
import type { ConfigIssue } from "../../errors.ts";
import { expectBool } from "../expect.ts";
import type { JailConfig } from "../model.ts";
import { defineKey, type Rule, type ValuesOf } from "./key.ts";

export const TERMINAL_KEYS = [
  defineKey(
    {
      key: "pty",
      flag: "--pty",
      kind: "bool",
      repeatable: false,
      placeholder: "",
      defaultDoc: "`false` (never implied, even on a terminal: see docs/terminal.md)",
      doc: "Give the command a new pseudo-terminal as its controlling terminal and stdio (job control, Ctrl-Z); nsjail relays it to its own.",
    },
    (v, path, { report }) => expectBool(v, path, report),
  ),
] as const;

type TerminalFields = Partial<ValuesOf<typeof TERMINAL_KEYS>>;

export function terminalDefaults(f: TerminalFields): Pick<JailConfig, "pty"> {
  return { pty: f.pty ?? false };
}

/** The pty's other end lives in nsjail: exec mode leaves nobody to relay it. */
function ptyNeedsRelay(config: JailConfig): ConfigIssue[] {
  if (!config.pty || !config.exec) return [];
  return [{ path: "pty", message: "needs nsjail to stay and relay the terminal: not with exec" }];
}

export const TERMINAL_RULES: readonly Rule[] = [{ name: "ptyNeedsRelay", uses: ["pty", "exec"], check: ptyNeedsRelay }];
