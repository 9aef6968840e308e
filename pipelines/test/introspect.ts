/**
 * Offline introspection for test/pipelines-module.test.ts (no Dagger engine needed).
 *
 * Runs the TypeScript SDK's own introspector (the code the engine's TypeScript runtime runs
 * before it registers the module's types: @dagger.io/dagger
 * dist/src/module/entrypoint/entrypoint.js -> introspector `scan`) over pipelines/src and prints
 * what `dagger functions` and `dagger call <fn> --help` are built from: the module and object
 * descriptions, every function's description, return type and cache policy, and every
 * argument's description, type, optionality, default value, defaultPath and ignore list.
 *
 * One difference from the runtime: there the SDK library is TypeScript source (`./sdk`, with
 * `client.gen.ts`), here it is the published package, which ships `client.gen.d.ts` only. The
 * introspector recognises the core types (Container, Directory, Secret, ...) by a class
 * declaration in a file named `client.gen.ts`, so a copy of the declarations under that name
 * is added to the program (declaration files are skipped by the introspector).
 *
 * Run: tsx --tsconfig pipelines/tsconfig.json pipelines/test/introspect.ts  (prints JSON)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SDK = path.join(ROOT, "node_modules", "@dagger.io", "dagger", "dist", "src");
// Every source file of the module, as the runtime lists them.
const MODULE_FILES = fs
  .readdirSync(path.join(ROOT, "pipelines", "src"))
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((f) => path.join(ROOT, "pipelines", "src", f));

// The introspector is not in the package's `exports`: import the files by path (same module
// instances as `@dagger.io/dagger`, which resolves to the same files).
const sdk = (p: string) => import(pathToFileURL(path.join(SDK, p)).href);

interface TypeDef {
  kind: string;
  name?: string;
  typeDef?: TypeDef;
}
interface Arg {
  description: string;
  type: TypeDef;
  isOptional: boolean;
  defaultValue?: unknown;
  defaultPath?: string;
  ignore?: string[];
}
interface Fn {
  description: string;
  returnType: TypeDef;
  cache?: string;
  arguments: Record<string, Arg>;
}
interface Obj {
  description: string;
  methods: Record<string, Fn>;
}

async function main() {
  const { load } = await sdk("module/entrypoint/load.js");
  const { AST } = await sdk("module/introspector/typescript_module/index.js");
  const { DaggerModule } = await sdk("module/introspector/dagger_module/index.js");
  const { convertToPascalCase } = await sdk("module/introspector/case_convertor.js");

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dagger-sdk-"));
  try {
    const gen = path.join(tmp, "client.gen.ts");
    fs.copyFileSync(path.join(SDK, "api", "client.gen.d.ts"), gen);
    const moduleName = JSON.parse(fs.readFileSync(path.join(ROOT, "dagger.json"), "utf8")).name as string;
    const userModule = await load(MODULE_FILES);
    // The SDK builds its program with TypeScript's defaults, which add every node_modules/@types
    // package above the current directory: from the repository root, all of this repository's
    // development types (jest, babel, yargs, ...), which the module's own tsconfig leaves out
    // ("types": ["node"]), parsed for nothing (2 s of CPU of this run). Built from the temporary
    // directory, which has no node_modules above it, the program adds none; what a file imports
    // or references still resolves from that file's directory. The output is the same.
    const cwd = process.cwd();
    process.chdir(tmp);
    let ast;
    try {
      ast = new AST([...MODULE_FILES, gen], userModule);
    } finally {
      process.chdir(cwd);
    }
    const mod = new DaggerModule(convertToPascalCase(moduleName), userModule, ast);
    const type = (t: TypeDef | undefined): string =>
      !t ? "?" : t.kind === "LIST_KIND" ? `[${type(t.typeDef)}]` : t.name ?? t.kind.replace(/_KIND$/, "").toLowerCase();
    const objects = Object.fromEntries(
      Object.entries(mod.objects as Record<string, Obj>).map(([name, o]) => [
        name,
        {
          description: o.description,
          functions: Object.fromEntries(
            Object.entries(o.methods).map(([fname, f]) => [
              fname,
              {
                description: f.description,
                returns: type(f.returnType),
                cache: f.cache ?? null,
                args: Object.fromEntries(
                  Object.entries(f.arguments).map(([aname, a]) => [
                    aname,
                    {
                      description: a.description,
                      type: type(a.type),
                      optional: a.isOptional,
                      default: a.defaultValue ?? null,
                      defaultPath: a.defaultPath ?? null,
                      ignore: a.ignore ?? null,
                    },
                  ]),
                ),
              },
            ]),
          ),
        },
      ]),
    );
    process.stdout.write(JSON.stringify({ name: mod.name, description: mod.description ?? "", objects }));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`introspection failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
