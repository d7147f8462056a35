// Build helper for scripts/gen-syscall-tables.ts: the subset of the C preprocessor that the
// kernel's uapi unistd/errno headers use (#define, #undef, #if/#ifdef/#ifndef/#else/#endif with
// defined(), ==, !=, !, &&, ||). Anything else is an error, so a changed header is noticed
// instead of silently read wrong. #include lines are skipped: callers read each file they need.

/** Macro name → its replacement text, after the header ran with `predefined` set. */
export type Defines = Map<string, string>;

function logicalLines(text: string): string[] {
  const noComments = text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/gm, "");
  return noComments.replace(/\\\n/g, " ").split("\n").map((l) => l.trim());
}

/** Evaluates a #if expression; undefined identifiers are 0, as in C. */
function evaluate(expr: string, defs: Defines, where: string): number {
  const tokens = expr.match(/\|\||&&|==|!=|[A-Za-z_]\w*|\d+|[()!]|\S/g) ?? [];
  let at = 0;
  const fail = (): never => {
    throw new Error(`${where}: cannot evaluate #if ${expr}`);
  };
  const next = () => tokens[at++] ?? fail();
  const peek = () => tokens[at];
  const value = (name: string): number => {
    const v = defs.get(name);
    if (v === undefined || v === "") return 0;
    return /^\d+$/.test(v) ? Number(v) : fail();
  };
  const primary = (): number => {
    const t = next();
    if (t === "!") return primary() ? 0 : 1;
    if (t === "(") {
      const v = or();
      if (next() !== ")") fail();
      return v;
    }
    if (t === "defined") {
      const paren = peek() === "(";
      if (paren) next();
      const name = next();
      if (paren && next() !== ")") fail();
      return defs.has(name) ? 1 : 0;
    }
    if (/^\d+$/.test(t)) return Number(t);
    return /^[A-Za-z_]\w*$/.test(t) ? value(t) : fail();
  };
  const compare = (): number => {
    const left = primary();
    const op = peek();
    if (op !== "==" && op !== "!=") return left;
    next();
    const right = primary();
    return (left === right) === (op === "==") ? 1 : 0;
  };
  const and = (): number => {
    let v = compare();
    while (peek() === "&&") {
      next();
      v = compare() && v;
    }
    return v;
  };
  const or = (): number => {
    let v = and();
    while (peek() === "||") {
      next();
      v = and() || v;
    }
    return v;
  };
  const result = or();
  if (at !== tokens.length) fail();
  return result;
}

/** Runs the directives of one header over `predefined` and returns every macro defined after it. */
export function readDefines(text: string, predefined: Defines, where: string): Defines {
  const defs: Defines = new Map(predefined);
  // One entry per open #if: is this branch live, and has any branch of it been taken?
  const stack: { live: boolean; taken: boolean }[] = [];
  const live = () => stack.every((s) => s.live);
  for (const [i, line] of logicalLines(text).entries()) {
    const m = /^#\s*(\w+)\s*(.*)$/.exec(line);
    if (m === null) continue; // __SYSCALL(...) and other non-directive lines
    const [, directive, rest] = m as unknown as [string, string, string];
    const at = `${where}:${i + 1}`;
    if (directive === "if" || directive === "ifdef" || directive === "ifndef") {
      const cond = !live()
        ? false
        : directive === "if"
          ? evaluate(rest, defs, at) !== 0
          : defs.has(rest) === (directive === "ifdef");
      stack.push({ live: cond, taken: cond });
    } else if (directive === "else") {
      const top = stack.at(-1) ?? fail(at, "#else without #if");
      top.live = !top.taken;
      top.taken = true;
    } else if (directive === "endif") {
      if (stack.pop() === undefined) fail(at, "#endif without #if");
    } else if (!live() || directive === "include") {
      continue;
    } else if (directive === "define") {
      const d = /^([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$/.exec(rest) ?? fail(at, `bad #define ${rest}`);
      if (d[2] === undefined) defs.set(d[1]!, d[3]!.trim());
    } else if (directive === "undef") {
      defs.delete(rest);
    } else {
      fail(at, `unsupported directive #${directive}`);
    }
  }
  if (stack.length > 0) fail(where, "unterminated #if");
  return defs;
}

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

/** Macros named `prefix` + name whose value is a number, or another such macro (an alias). */
export function numberedMacros(defs: Defines, prefix: string): Map<string, number> {
  const resolve = (value: string, depth: number): number | null => {
    if (/^\d+$/.test(value)) return Number(value);
    const target = defs.get(value);
    return target === undefined || depth > 8 ? null : resolve(target, depth + 1);
  };
  const out = new Map<string, number>();
  for (const [name, value] of defs) {
    if (!name.startsWith(prefix)) continue;
    const n = resolve(value, 0);
    if (n !== null) out.set(name.slice(prefix.length), n);
  }
  return out;
}
