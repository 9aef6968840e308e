/**
 * A small evaluator of GitHub Actions expressions, for testing the workflows' `runs-on`, `if`
 * and `env` rules against event contexts (a fork's pull request, a same-repository one, a push
 * to main). It implements what those rules use, with GitHub's semantics
 * (docs.github.com/en/actions/reference/workflows-and-actions/expressions): literals (strings in
 * single quotes with '' escapes, numbers, true, false, null), context paths (`a.b.c`; a missing
 * property is null), `!`, `==`, `!=` (strings compared case-insensitively), `&&` and `||`
 * (returning an operand, like JavaScript), parentheses, and `${{ }}` interpolation in strings.
 * Anything else (functions, indexing, comparisons) is an error, so an unsupported rule fails
 * the test instead of being evaluated wrongly.
 */
export type Value = string | number | boolean | null | { [k: string]: Value };

const truthy = (v: Value) => !(v === false || v === null || v === 0 || v === "" || Number.isNaN(v));

/** GitHub's coercion for comparing values of different types: to numbers. */
function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return v.trim() === "" ? 0 : Number(v);
  return NaN;
}

/** `==`: strings case-insensitively, same types as they are, mixed types as numbers (null == '' is true). */
function equal(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === "object" || typeof b === "object") {
    if (a === null && b === null) return true;
    if ((a !== null && typeof a === "object") || (b !== null && typeof b === "object")) return a === b;
  }
  if (typeof a === typeof b) return a === b;
  return toNumber(a) === toNumber(b);
}

/** Evaluates one expression (the text inside `${{ }}`, or an `if:` value). */
export function evaluate(expr: string, ctx: Record<string, Value>): Value {
  const tokens = expr.match(/\s*('(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*|\d+(?:\.\d+)?|\S)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const take = (t?: string) => {
    const tok = tokens[i++];
    if (t !== undefined && tok !== t) throw new Error(`expected ${t} at ${tok ?? "end"} in: ${expr}`);
    return tok;
  };
  const primary = (): Value => {
    const t = take();
    if (t === undefined) throw new Error(`unexpected end of: ${expr}`);
    if (t === "(") {
      const v = or();
      take(")");
      return v;
    }
    if (t === "!") return !truthy(primary());
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(t)) return Number(t);
    if (t === "true") return true;
    if (t === "false") return false;
    if (t === "null") return null;
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === "(") throw new Error(`function ${t}() is not supported by this evaluator`);
      let v: Value = ctx;
      for (const part of t.split(".")) v = v !== null && typeof v === "object" && part in v ? (v as Record<string, Value>)[part] : null;
      return v;
    }
    throw new Error(`unsupported token ${t} in: ${expr}`);
  };
  const cmp = (): Value => {
    let v = primary();
    while (peek() === "==" || peek() === "!=") {
      const op = take();
      const r = primary();
      v = op === "==" ? equal(v, r) : !equal(v, r);
    }
    return v;
  };
  const and = (): Value => {
    let v = cmp();
    while (peek() === "&&") {
      take();
      const r = cmp();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  const or = (): Value => {
    let v = and();
    while (peek() === "||") {
      take();
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  };
  const v = or();
  if (i !== tokens.length) throw new Error(`unexpected ${tokens[i]} in: ${expr}`);
  return v;
}

/** A workflow value with `${{ }}` interpolations, evaluated to a string (or the value alone). */
export function interpolate(text: string, ctx: Record<string, Value>): Value {
  const whole = /^\$\{\{(.*)\}\}$/s.exec(text.trim());
  if (whole && !whole[1].includes("}}")) return evaluate(whole[1], ctx);
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => {
    const v = evaluate(e, ctx);
    return v === null ? "" : String(v);
  });
}

/** An `if:` condition: GitHub evaluates it as an expression whether or not it is wrapped. */
export function condition(text: string | boolean | undefined, ctx: Record<string, Value>): boolean {
  if (text === undefined) return true;
  if (typeof text === "boolean") return text;
  const t = text.trim();
  const v = /^\$\{\{(.*)\}\}$/s.test(t) ? interpolate(t, ctx) : evaluate(t, ctx);
  return truthy(v);
}
