/**
 * The README is the front door: its configuration reference must name every key of the schema
 * and nothing the schema does not have; its commands and examples must exist.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configKeyPaths } from "./config-keys";
import { parseConfig, parseConfigText } from "../lib/config/load";
import { renderReport } from "../lib/report";

const ROOT = path.join(__dirname, "..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const reference = readme.slice(readme.indexOf("## Configuration reference"), readme.indexOf("\n## ", readme.indexOf("## Configuration reference") + 5));

/** Key paths in the first column of the reference tables (`a.b` / `a.c`). */
function documentedKeys(): string[] {
  const keys: string[] = [];
  for (const line of reference.split("\n")) {
    const first = /^\| ([^|]+) \|/.exec(line)?.[1];
    if (!first) continue;
    for (const m of first.matchAll(/`([A-Za-z<>][\w.<>]*)`/g)) keys.push(m[1]);
  }
  return keys;
}

const POOLS = ["runners", "engines", "gpu"];
const expand = (k: string) => (k.includes("<pool>") ? POOLS.map((p) => k.replace("<pool>", p)) : [k]);

describe("README configuration reference", () => {
  const schemaKeys = configKeyPaths();
  const documented = new Set(documentedKeys().flatMap(expand));

  test("has a reference section with tables", () => {
    expect(reference.length).toBeGreaterThan(1000);
    expect(documented.size).toBeGreaterThan(80);
  });

  test("documents every key of the schema (the key itself or the map/object holding it)", () => {
    const missing = schemaKeys.filter((k) => {
      const parts = k.split(".");
      return !parts.some((_, i) => i >= 1 && documented.has(parts.slice(0, i + 1).join("."))) && !documented.has(k);
    });
    expect(missing).toEqual([]);
  });

  test("documents no key the schema does not have", () => {
    const known = new Set<string>();
    for (const k of schemaKeys) {
      const parts = k.split(".");
      for (let i = 1; i <= parts.length; i++) known.add(parts.slice(0, i).join("."));
    }
    expect([...documented].filter((k) => !known.has(k))).toEqual([]);
  });
});

describe("README commands and files", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

  test("the two quick-start commands exist", () => {
    expect(readme).toContain("npm ci && npm run synth");
    expect(readme).toMatch(/^npm test\b/m);
    expect(pkg.scripts.synth).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
    expect(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8")).toMatch(/npm test/);
  });

  test("every npm script the README runs exists", () => {
    for (const m of readme.matchAll(/npm run ([a-z:-]+)/g)) expect(pkg.scripts).toHaveProperty(m[1]);
  });

  test("every example is named in the README, and every examples/ path it gives exists", () => {
    const files = fs.readdirSync(path.join(ROOT, "examples")).filter((f) => /\.(ya?ml|json)$/.test(f));
    for (const f of files) expect(readme).toContain(`\`${f}\``);
    for (const m of readme.matchAll(/examples\/([\w-]+\.ya?ml)/g)) expect(files).toContain(m[1]);
  });

  test("the sample configuration in the README is valid", () => {
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /^name:/m.test(b));
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    for (const b of blocks) expect(() => parseConfig(parseConfigText(b, "README.yaml"))).not.toThrow();
  });

  test("the sample report is what npm run synth prints for the default config", () => {
    // The sample is printed as on 2026-05-01 (SOURCE_DATE_EPOCH), when the pinned runner was 35 days old.
    expect(readme).toContain(renderReport(parseConfig({}).plan, { now: new Date("2026-05-01T00:00:00Z") }));
  });

  test("one actions/checkout version across the README, workflow_snippet and the workflows", () => {
    const { CHECKOUT_ACTION, workflowSnippet } = require("../lib/planning/workflow") as typeof import("../lib/planning/workflow");
    const uses = (text: string) => [...text.matchAll(/uses: (actions\/checkout@.*)$/gm)].map((m) => m[1].trim());
    const workflows = fs.readdirSync(path.join(ROOT, ".github/workflows")).map((f) => fs.readFileSync(path.join(ROOT, ".github/workflows", f), "utf8"));
    const all = [readme, workflowSnippet(parseConfig({}).plan.runners), ...workflows].flatMap(uses);
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect([...new Set(all)]).toEqual([CHECKOUT_ACTION]);
  });

  test("every docs/ link points at a file", () => {
    for (const m of readme.matchAll(/\]\((docs\/[\w.-]+\.md)(#[\w-]+)?\)/g)) expect(fs.existsSync(path.join(ROOT, m[1]))).toBe(true);
  });
});
