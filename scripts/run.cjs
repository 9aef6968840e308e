#!/usr/bin/env node
/**
 * `node scripts/run.cjs NAME [args...]`: what `npm run synth` (report, impact, verify) and the
 * cdktf app (cdktf.json: `app`) run. Runs the program NAME (scripts/bundled.cjs: NAME -> its
 * TypeScript entry, e.g. scripts/synth.ts, main.ts for `app`) in this process, from its bundle
 * when the bundle is current, else from the TypeScript source through tsx, so it never runs
 * stale code:
 *
 * - dist/bundle/scripts/NAME.js (scripts/bundle.cjs, built by `npm run build`, which `npm ci` and
 *   `npm install` run through `prepare`, and by `npm test`) when it exists and no file it was
 *   built from (NAME.inputs.json beside it: the package's own sources, the entry and what it
 *   imports, JSON included) is newer than it, nor node_modules/.package-lock.json (npm rewrites
 *   it on every install, so a changed dependency counts as newer). Only stat calls: about 100,
 *   a few ms.
 * - otherwise the entry through tsx (`tsx/cjs`), as a developer who edited lib/ without
 *   rebuilding expects: their change is in the output.
 *
 * The bundle is compiled with a V8 code cache (NAME.js.<key>.cache beside it, written after the
 * first successful run that found none, keyed by the bundle's size and mtime, node's version
 * and its options): a run then neither parses nor compiles the few MB of JavaScript it executes.
 * RUNNERS_DEBUG_LAUNCH=1 prints the path taken (and why) to stderr.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");

const ROOT = path.join(__dirname, "..");
const { BUNDLED, bundleOf, staleReason } = require("./bundled.cjs");
const debug = process.env.RUNNERS_DEBUG_LAUNCH === "1" ? (msg) => process.stderr.write(`run.cjs: ${msg}\n`) : () => {};

/** Runs the bundle as the main program, through a V8 code cache. */
function runBundle(bundle) {
  const vm = require("node:vm");
  const st = fs.statSync(bundle);
  // V8 rejects a cache made under other flags: the key has node's options, less the preloads
  // (--require, --import), which change no flag.
  const options = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`.replace(/(?<!\S)(--require|-r|--import)(=|\s+)\S+/g, "");
  let hash = 2166136261; // FNV-1a
  for (let i = 0; i < options.length; i++) hash = Math.imul(hash ^ options.charCodeAt(i), 16777619) >>> 0;
  const build = `${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}-${process.arch}`;
  const cacheFile = `${bundle}.${build}-${hash.toString(16)}.cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, "utf8")), { filename: bundle, cachedData });
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  debug(`code cache ${cached ? "used" : cachedData ? "rejected" : "absent"}`);
  if (!cached) {
    // After the run, the cache holds every function it compiled (not only the top level).
    process.on("exit", (code) => {
      if (code !== 0) return;
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile); // atomic: a concurrent run reads a whole cache or none
        // Drop the caches of other builds of the bundle or other node versions (those of other
        // node options stay: a bench or a profile alternating options must not thrash).
        const dir = path.dirname(bundle);
        const prefix = `${path.basename(bundle)}.`;
        for (const f of fs.readdirSync(dir)) {
          if (f.startsWith(prefix) && f.endsWith(".cache") && !f.startsWith(`${prefix}${build}-`)) fs.rmSync(path.join(dir, f), { force: true });
        }
      } catch {
        // read-only install: run without a cache
      }
    });
  }
  const mod = new Module(bundle, null);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(path.dirname(bundle));
  mod.loaded = true;
  const req = (id) => mod.require(id);
  req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  req.main = mod;
  req.cache = Module._cache;
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, bundle, path.dirname(bundle));
}

function main() {
  const name = process.argv[2];
  const entry = Object.hasOwn(BUNDLED, name ?? "") ? BUNDLED[name] : undefined;
  if (!entry) {
    process.stderr.write(`error: usage: node scripts/run.cjs NAME [args...] (NAME: ${Object.keys(BUNDLED).join(", ")}); got ${JSON.stringify(name ?? "")}\n`);
    process.exit(2);
  }
  const source = path.join(ROOT, entry);
  const bundle = bundleOf(ROOT, name);
  const reason = staleReason(ROOT, bundle);
  // The program reads its own arguments from process.argv.slice(2), as when node runs it directly.
  process.argv.splice(1, 2, reason ? source : bundle);
  if (!reason) {
    debug(`bundle ${path.relative(ROOT, bundle)}`);
    runBundle(bundle);
  } else {
    debug(`tsx ${path.relative(ROOT, source)} (${reason})`);
    require("tsx/cjs");
    require(source);
  }
}

main();
