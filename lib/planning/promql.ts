/**
 * The metric names a PromQL expression reads, found by tokenizing it as PromQL does (strings,
 * label matchers, ranges, grouping clauses and function calls are not metric names). Tests hold
 * every alert rule and dashboard query to the cited list of lib/planning/metric-names.ts with it.
 * Pure code.
 *
 * The grammar followed is Prometheus' `promql/parser/lex.go` (v3): identifiers
 * `[a-zA-Z_:][a-zA-Z0-9_:]*`, strings in `"`, `'` or backquotes, `{...}` matchers, `[...]`
 * ranges and subqueries, keywords `by without on ignoring group_left group_right bool offset and
 * or unless atan2`, number literals (incl. durations, `0x..`, `Inf`, `NaN`).
 */

/** Aggregation operators and functions of PromQL (Prometheus 3 `promql/parser/functions.go`, `lex.go` ItemType aggregators), those the project may use. */
export const PROMQL_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregations
  "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
  // functions
  "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "delta", "deriv", "exp", "floor",
  "histogram_quantile", "idelta", "increase", "irate", "label_replace", "label_join", "ln", "log2", "log10", "max_over_time",
  "min_over_time", "avg_over_time", "sum_over_time", "count_over_time", "last_over_time", "present_over_time", "quantile_over_time",
  "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "time", "timestamp", "vector", "minute", "hour",
]);

const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group"]);
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan"]);
/** Keywords followed by a parenthesized list of label names. */
const LABEL_LIST = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

/** A PromQL expression the tokenizer cannot read. */
export class PromQLError extends Error {}

/** Every metric name `expr` selects, in order of first appearance. Throws {@link PromQLError} on what it cannot read. */
export function metricNamesOf(expr: string): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  let i = 0;
  const n = expr.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(expr[i])) i++;
  };
  const skipString = () => {
    const quote = expr[i++];
    while (i < n && expr[i] !== quote) i += expr[i] === "\\" && quote !== "`" ? 2 : 1;
    if (i >= n) throw new PromQLError(`unterminated string in ${JSON.stringify(expr)}`);
    i++;
  };
  /** Skips `{...}` (label matchers); returns the `__name__` it names with `=`, if any. */
  const skipMatchers = (): string | undefined => {
    const start = i++;
    let name: string | undefined;
    while (i < n && expr[i] !== "}") {
      if (expr[i] === '"' || expr[i] === "'" || expr[i] === "`") {
        skipString();
        continue;
      }
      const m = /^__name__\s*=\s*(["'])([a-zA-Z_:][a-zA-Z0-9_:]*)\1/.exec(expr.slice(i));
      if (m) {
        name = m[2];
        i += m[0].length;
        continue;
      }
      i++;
    }
    if (i >= n) throw new PromQLError(`unclosed "{" at ${start} in ${JSON.stringify(expr)}`);
    i++;
    return name;
  };
  const skipBracket = () => {
    const start = i;
    while (i < n && expr[i] !== "]") i++;
    if (i >= n) throw new PromQLError(`unclosed "[" at ${start} in ${JSON.stringify(expr)}`);
    i++;
  };
  while (i < n) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'" || c === "`") {
      skipString();
    } else if (c === "{") {
      const named = skipMatchers();
      if (named) add(named);
    } else if (c === "[") {
      skipBracket();
    } else if (/[0-9.]/.test(c)) {
      // numbers and durations (5m, 1h30m, 0x1f, 1e3)
      while (i < n && /[0-9a-zA-Z_.]/.test(expr[i])) i++;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))!;
      const word = m[0];
      i += word.length;
      const lower = word.toLowerCase();
      skipSpace();
      if (LABEL_LIST.has(lower)) {
        if (expr[i] === "(") {
          while (i < n && expr[i] !== ")") i++;
          if (i >= n) throw new PromQLError(`unclosed label list after "${word}" in ${JSON.stringify(expr)}`);
          i++;
        }
      } else if (KEYWORDS.has(lower)) {
        // and, or, unless, bool, offset (its duration is read as a number), atan2, Inf, NaN
      } else if (AGGREGATIONS.has(word) && /^(by|without)\s*\(/i.test(expr.slice(i))) {
        // `sum by (x) (...)`: the grouping clause comes before the parentheses
      } else if (expr[i] === "(") {
        if (!PROMQL_FUNCTIONS.has(word)) throw new PromQLError(`"${word}(" is not a PromQL function this project knows, in ${JSON.stringify(expr)}`);
      } else {
        add(word);
      }
    } else {
      // operators, parentheses, commas, @
      i++;
    }
  }
  return names;
}
