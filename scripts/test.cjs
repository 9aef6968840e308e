#!/usr/bin/env node
/**
 * `npm test` (after `node scripts/bundle.cjs --if-stale`): the app's type-check
 * (`npm run typecheck:app`) and jest at once. jest's output comes as it runs, tsc's after it;
 * the exit code is jest's when jest fails, else tsc's, so either failing fails the run.
 * Arguments go to jest (`npm test -- test/planning`).
 *
 * At once because the type-check (about 4 s) would otherwise hold up the whole suite. Measured on
 * the 2-core machine, interleaved, the same state twice: 73.3 s and 68.5 s one after the other,
 * 70.0 s and 65.7 s at once.
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");

/**
 * Runs `check` (its output kept) and `main` (its output passed through) at once; resolves to
 * the exit code: `main`'s when it failed, else `check`'s, after printing `check`'s output when
 * it failed. Each command is `[file, ...args]`.
 */
function runBoth(check, main, out = process.stdout) {
  const exit = (child) => new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  const checking = spawn(check[0], check.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
  let checkOutput = "";
  checking.stdout.on("data", (d) => (checkOutput += d));
  checking.stderr.on("data", (d) => (checkOutput += d));
  const running = spawn(main[0], main.slice(1), { cwd: ROOT, stdio: "inherit" });
  return Promise.all([exit(checking), exit(running)]).then(([checkCode, mainCode]) => {
    if (checkCode !== 0) out.write(`${checkOutput}${checkOutput.endsWith("\n") || !checkOutput ? "" : "\n"}${check.join(" ")}: exit ${checkCode}\n`);
    return mainCode !== 0 ? mainCode : checkCode;
  });
}

module.exports = { runBoth };

if (require.main === module) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  runBoth([npm, "run", "-s", "typecheck:app"], [process.execPath, require.resolve("jest/bin/jest"), ...process.argv.slice(2)]).then((code) => process.exit(code));
}
