/**
 * The layers depend one way: config file -> planning (pure) -> constructs -> stacks. Read from
 * the import statements of lib/ (type-only imports included).
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? tsFiles(rel) : e.name.endsWith(".ts") ? [rel] : [];
  });
}

/** Every import of `file`: package names as written, relative ones as repository paths. */
function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|(?:^|\n)\s*import\s+["']([^"']+)["']|require\(["']([^"']+)["']\)|import\(["']([^"']+)["']\)/g;
  return [...text.matchAll(re)].map((m) => {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!spec.startsWith(".")) return spec;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    return fs.existsSync(path.join(ROOT, `${target}.ts`)) ? `${target}.ts` : fs.existsSync(path.join(ROOT, target, "index.ts")) ? `${target}/index.ts` : target;
  });
}

const LIB = tsFiles("lib");
const graph = new Map(LIB.map((f) => [f, imports(f)]));

test("planning is pure: no cdktf, constructs, config loader, constructs layer or stacks", () => {
  const bad = [...graph]
    .filter(([f]) => f.startsWith("lib/planning/"))
    .flatMap(([f, deps]) => deps.filter((d) => /^(cdktf|constructs|@cdktf\/)/.test(d) || /^lib\/(config|constructs|stacks|imports)\//.test(d)).map((d) => `${f} -> ${d}`));
  expect(bad).toEqual([]);
});

test("constructs read neither the config loader nor the stacks", () => {
  const bad = [...graph]
    .filter(([f]) => f.startsWith("lib/constructs/"))
    .flatMap(([f, deps]) => deps.filter((d) => d.startsWith("lib/config/") || d.startsWith("lib/stacks/")).map((d) => `${f} -> ${d}`));
  expect(bad).toEqual([]);
});

test("constructs take domain props: no config-file types (the input schema) and no DeploymentPlan; lib/stacks/layer-props.ts maps them", () => {
  const bad = [...graph]
    .filter(([f]) => f.startsWith("lib/constructs/"))
    .flatMap(([f, deps]) => deps.filter((d) => d === "lib/planning/input/schema.ts" || d === "lib/planning/deployment.ts").map((d) => `${f} -> ${d}`));
  expect(bad).toEqual([]);
});

test("no import cycle in lib/ (type-only imports included)", () => {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === "open") cycles.push([...stack.slice(stack.indexOf(d)), d].join(" -> "));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  expect(cycles).toEqual([]);
});

test("the impact analysis is pure: only lib/impact/sides.ts loads the config and the app (lazily, to synthesize a config side)", () => {
  const bad = [...graph]
    .filter(([f]) => f.startsWith("lib/impact/") && f !== "lib/impact/sides.ts")
    .flatMap(([f, deps]) => deps.filter((d) => /^(cdktf|constructs|@cdktf\/)/.test(d) || /^lib\/(config|constructs|stacks|imports)\//.test(d) || d === "lib/app.ts").map((d) => `${f} -> ${d}`));
  expect(bad).toEqual([]);
  // sides.ts requires them inside loadSide only: no top-level import.
  const sides = fs.readFileSync(path.join(ROOT, "lib/impact/sides.ts"), "utf8");
  expect(sides).not.toMatch(/^import [^;]*from "\.\.\/(app|config\/load)"/m);
});
