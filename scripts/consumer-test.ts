/**
 * `npm run test:consumer`: the package as another cdktf project installs it. Packs this
 * repository (`npm pack`, which builds `dist/`), installs the tarball into a fresh TypeScript
 * project with cdktf 0.21.0, the NEWEST `constructs` 10.x on the registry and the provider
 * bindings, compiles the README's "As a library" program exactly as written, runs it and checks
 * what it synthesized. One line per step; exit 1 with one line on a failure.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sh(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    const detail = `${err.stdout ?? ""}\n${err.stderr ?? ""}`.split("\n").map((l) => l.trim()).filter(Boolean);
    throw new Error(`${cmd} ${args.join(" ")} failed: ${detail.find((l) => /error/i.test(l)) ?? detail[0] ?? err.message}`);
  }
}

/** The TypeScript program of the README's "As a library" section. */
export function readmeProgram(readme: string): string {
  const section = readme.slice(readme.indexOf("## As a library"));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md: no ```ts block in "## As a library"');
  return m[1];
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`the synthesized output: ${what}`);
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-test-"));
  try {
    const step = (s: string) => process.stdout.write(`consumer test: ${s}\n`);
    const tarball = path.join(dir, sh("npm", ["pack", "--silent", "--pack-destination", dir], ROOT).trim().split("\n").pop()!);
    step(`packed ${path.basename(tarball)}`);

    const versions = JSON.parse(sh("npm", ["view", "constructs@10", "version", "--json"], dir)) as string[] | string;
    const constructs = Array.isArray(versions) ? versions[versions.length - 1] : versions;
    const app = path.join(dir, "app");
    fs.mkdirSync(app);
    const deps: Record<string, string> = {
      [pkg.name]: `file:${tarball}`,
      cdktf: pkg.devDependencies.cdktf,
      constructs,
      "@cdktf/provider-google": pkg.devDependencies["@cdktf/provider-google"],
      "@cdktf/provider-helm": pkg.devDependencies["@cdktf/provider-helm"],
      "@cdktf/provider-kubernetes": pkg.devDependencies["@cdktf/provider-kubernetes"],
      typescript: pkg.devDependencies.typescript,
      "@types/node": pkg.devDependencies["@types/node"],
    };
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies: deps }, null, 2));
    fs.writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, esModuleInterop: true, skipLibCheck: false, types: ["node"] }, include: ["main.ts"] }),
    );
    fs.writeFileSync(path.join(app, "main.ts"), readmeProgram(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")));
    sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"], app);
    const installed = (name: string) => (JSON.parse(fs.readFileSync(path.join(app, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    step(`installed the tarball with cdktf ${installed("cdktf")}, constructs ${installed("constructs")}, provider-google ${installed("@cdktf/provider-google")}`);
    check(!fs.existsSync(path.join(app, "node_modules", pkg.name, "node_modules", "constructs")), "the package brought its own copy of constructs (it must be a peer dependency)");

    sh(path.join(app, "node_modules", ".bin", "tsc"), ["-p", "."], app);
    step("compiled the README's program (tsc --strict)");
    const out = path.join(app, "cdktf.out");
    sh(process.execPath, ["main.js"], app, { ...process.env, CDKTF_OUTDIR: out });
    const manifest = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8")) as { stacks: Record<string, { dependencies: string[] }> };
    const stack = (name: string) => JSON.parse(fs.readFileSync(path.join(out, "stacks", name, "cdk.tf.json"), "utf8"));
    check(JSON.stringify(Object.keys(manifest.stacks).sort()) === JSON.stringify(["ci-cluster", "ci-eks-runners", "ci-runners"]), `stacks ${Object.keys(manifest.stacks).join(", ")}`);
    check(JSON.stringify(manifest.stacks["ci-runners"].dependencies) === JSON.stringify(["ci-cluster"]), "ci-runners does not depend on ci-cluster");
    const gke = stack("ci-runners");
    check(gke.output.runner_labels.value["dagger-v0.19"] === "0.19.11" && gke.output.runner_labels.value["dagger-latest"] === "0.20.3", "ci-runners labels");
    const eks = stack("ci-eks-runners");
    check(eks.provider.kubernetes[0].exec[0].command === "aws" && eks.provider.helm[0].kubernetes.exec.command === "aws", "ci-eks-runners providers do not use the exec credential");
    check(Object.values(eks.resource.helm_release as Record<string, { chart: string; values: string[] }>).some((r) => r.chart === "dagger-helm" && JSON.parse(r.values[0]).engine.kind === "StatefulSet"), "ci-eks-runners has no StatefulSet engine");
    step(`synthesized ${Object.keys(manifest.stacks).length} stacks as expected: ok`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`consumer test: ${(e as Error).message.split("\n")[0]}\n`);
    process.exit(1);
  }
}
