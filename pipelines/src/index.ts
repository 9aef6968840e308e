/**
 * Dagger pipelines for cdktf-dagger-runners.
 *
 * This repository's own CI/CD (lint, test, synth, plan, deploy, ci) and reusable, cache-friendly
 * build and test functions for application repositories (Node with npm, Python with pip or uv,
 * Go). Every reusable function copies the dependency manifests and installs them before copying
 * the source, and keeps package-manager caches on named cache volumes, so jobs on the shared,
 * long-lived engines of the self-hosted runners start warm.
 *
 *   dagger functions
 *   dagger call ci --source=.
 *   dagger -m github.com/<org>/cdktf-dagger-runners call node-test --source=.
 */
import { Container, Directory, File, Secret, argument, func, object } from "@dagger.io/dagger";
import * as builds from "./builds.js";
import * as repo from "./repo.js";

/** One readable failure: the SDK's message, the cause, and the tail of an exec's stderr. */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const parts = [e.message];
  const { stderr, cause } = e as Error & { stderr?: unknown; cause?: unknown };
  if (cause instanceof Error && cause.message !== e.message) parts.push(cause.message);
  if (typeof stderr === "string" && stderr.trim() !== "") parts.push(stderr.trim().split("\n").slice(-20).join("\n"));
  return parts.join("\n");
}

function pythonPackageManager(value: string): builds.PythonPackageManager {
  if (value === "pip" || value === "uv") return value;
  throw new Error(`packageManager: "${value}" is not allowed (expected one of: pip, uv)`);
}

/**
 * CI/CD of cdktf-dagger-runners (lint, test, synth, plan, deploy, ci) and cached Node, Python
 * and Go builds for application repositories.
 */
@object()
export class Pipelines {
  // ------------------------------------------------------------------ this repository's CI/CD

  /**
   * Type-checks the repository (`npm run typecheck`, which also checks this module against
   * the pinned Dagger SDK). Returns the container after the check.
   */
  @func()
  lint(
    /** The repository root. */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "cdktf.out", "dist", "coverage", "**/.terraform", "pipelines/sdk"] })
    source: Directory,
  ): Container {
    return repo.lint(source);
  }

  /** Runs the jest suite. Returns the container after the tests. */
  @func()
  test(
    /** The repository root. */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "cdktf.out", "dist", "coverage", "**/.terraform", "pipelines/sdk"] })
    source: Directory,
  ): Container {
    return repo.test(source);
  }

  /**
   * Validates the config and synthesizes the stacks (`npm run synth`). Returns the `cdktf.out`
   * directory: export it with `dagger call synth --source=. export --path=cdktf.out`.
   */
  @func()
  synth(
    /** The repository root. */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "cdktf.out", "dist", "coverage", "**/.terraform", "pipelines/sdk"] })
    source: Directory,
    /** Deployment config (YAML or JSON) used as RUNNERS_CONFIG; without it, the built-in default. */
    config?: File,
  ): Directory {
    return repo.synth(source, config);
  }

  /**
   * Synthesizes, then runs `terraform init` and `terraform plan` (no state lock) for each stack.
   * Returns the plan output. Never cached: every call plans against live state.
   */
  @func({ cache: "never" })
  async plan(
    /** The repository root. */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "cdktf.out", "dist", "coverage", "**/.terraform", "pipelines/sdk"] })
    source: Directory,
    /** Google service-account key JSON, e.g. `env:GOOGLE_CREDENTIALS`; mounted as a file, never an env value. */
    googleCredentials: Secret,
    /** Stacks to plan, in order; empty plans every stack of cdktf.out/manifest.json. */
    stacks: string[] = [],
    /** Deployment config (YAML or JSON) used as RUNNERS_CONFIG; without it, the built-in default. */
    config?: File,
  ): Promise<string> {
    return repo.plan(source, googleCredentials, stacks, config).stdout();
  }

  /**
   * Synthesizes and applies the stacks with `cdktf deploy --auto-approve`. Sensitive Terraform
   * variables are passed as secrets (`TF_VAR_...` secret variables), never as plain arguments.
   * Returns the deploy output. Never cached.
   */
  @func({ cache: "never" })
  async deploy(
    /** The repository root. */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "cdktf.out", "dist", "coverage", "**/.terraform", "pipelines/sdk"] })
    source: Directory,
    /** Google service-account key JSON, e.g. `env:GOOGLE_CREDENTIALS`; mounted as a file. */
    googleCredentials: Secret,
    /** GitHub App private key (PEM), exposed as TF_VAR_github_app_private_key. */
    githubAppPrivateKey?: Secret,
    /** GitHub personal access token, exposed as TF_VAR_github_token. */
    githubToken?: Secret,
    /** Dagger Cloud token, exposed as TF_VAR_dagger_cloud_token. */
    daggerCloudToken?: Secret,
    /** Stacks to deploy; empty deploys every stack (`cdktf deploy '*'`, dependency order). */
    stacks: string[] = [],
    /** Deployment config (YAML or JSON) used as RUNNERS_CONFIG; without it, the built-in default. */
    config?: File,
  ): Promise<string> {
    return repo
      .deploy(source, googleCredentials, { githubAppPrivateKey, githubToken, daggerCloudToken }, stacks, config)
      .stdout();
  }

  /**
   * This repository's CI: lint, test and synth run concurrently; fails if any fails, naming
   * every failed step.
   */
  @func()
  async ci(
    /** The repository root. */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "cdktf.out", "dist", "coverage", "**/.terraform", "pipelines/sdk"] })
    source: Directory,
  ): Promise<string> {
    const steps: [string, () => Promise<unknown>][] = [
      ["lint", () => this.lint(source).sync()],
      ["test", () => this.test(source).sync()],
      ["synth", () => this.synth(source).sync()],
    ];
    const results = await Promise.allSettled(steps.map(([, run]) => run()));
    const failed = results
      .map((r, i) => ({ name: steps[i][0], r }))
      .filter((x): x is { name: string; r: PromiseRejectedResult } => x.r.status === "rejected");
    if (failed.length > 0) {
      const details = failed.map((f) => `--- ${f.name}\n${describeError(f.r.reason)}`);
      throw new Error(`ci failed: ${failed.map((f) => f.name).join(", ")}\n${details.join("\n")}`);
    }
    return `ci passed: ${steps.map(([n]) => n).join(", ")}`;
  }

  // ------------------------------------------------------------------------------- Node (npm)

  /**
   * Node with `npm ci` done from package.json + package-lock.json (npm cache on the `npm`
   * volume), then the source copied into /src. Chain further commands on it.
   */
  @func()
  nodeEnv(
    /** Project root (needs package-lock.json). */
    source: Directory,
    /** Node base image. */
    image: string = "node:22-bookworm-slim",
  ): Container {
    return builds.nodeEnv(source, { image });
  }

  /** Runs `npm run <script>` and returns the build output directory. */
  @func()
  nodeBuild(
    /** Project root (needs package-lock.json). */
    source: Directory,
    /** npm script that builds. */
    script: string = "build",
    /** Output directory, relative to the project root. */
    output: string = "dist",
    /** Node base image. */
    image: string = "node:22-bookworm-slim",
  ): Directory {
    return builds.nodeEnv(source, { image }).withExec(["npm", "run", script]).directory(`${builds.WORKDIR}/${output}`);
  }

  /** Runs `npm run <script>` (the tests). Returns the container after the tests. */
  @func()
  nodeTest(
    /** Project root (needs package-lock.json). */
    source: Directory,
    /** npm script that tests. */
    script: string = "test",
    /** Node base image. */
    image: string = "node:22-bookworm-slim",
  ): Container {
    return builds.nodeEnv(source, { image }).withExec(["npm", "run", script]);
  }

  // ------------------------------------------------------------------------- Python (pip/uv)

  /**
   * Python with dependencies installed, then the source copied into /src. With uv:
   * pyproject.toml + uv.lock, `uv sync --locked` (cache on the `uv` volume). With pip: the
   * requirements files, `pip install -r` (cache on the `pip` volume).
   */
  @func()
  pythonEnv(
    /** Project root. */
    source: Directory,
    /** "uv" (pyproject.toml + uv.lock) or "pip" (requirements files). */
    packageManager: string = "uv",
    /** pip only: requirements files, relative to the project root. */
    requirements: string[] = ["requirements.txt"],
    /** Mount the Hugging Face cache (`huggingface` volume, HF_HOME) for ML projects. */
    huggingFace: boolean = false,
    /** Python base image. */
    image: string = "python:3.12-slim-bookworm",
  ): Container {
    return builds.pythonEnv(source, { packageManager: pythonPackageManager(packageManager), requirements, huggingFace, image });
  }

  /** Builds the project's wheel (uv: wheel and sdist) and returns the output directory. */
  @func()
  pythonBuild(
    /** Project root. */
    source: Directory,
    /** "uv" (pyproject.toml + uv.lock) or "pip" (requirements files). */
    packageManager: string = "uv",
    /** pip only: requirements files, relative to the project root. */
    requirements: string[] = ["requirements.txt"],
    /** Python base image. */
    image: string = "python:3.12-slim-bookworm",
  ): Directory {
    return builds.pythonBuild(source, { packageManager: pythonPackageManager(packageManager), requirements, image });
  }

  /** Runs the tests (`uv run --locked <args>` or `python -m <args>`). Returns the container after the tests. */
  @func()
  pythonTest(
    /** Project root. */
    source: Directory,
    /** "uv" (pyproject.toml + uv.lock) or "pip" (requirements files). */
    packageManager: string = "uv",
    /** pip only: requirements files, relative to the project root. */
    requirements: string[] = ["requirements.txt"],
    /** Test command (a module for pip, a command for uv). */
    args: string[] = ["pytest"],
    /** Mount the Hugging Face cache (`huggingface` volume, HF_HOME) for ML projects. */
    huggingFace: boolean = false,
    /** Python base image. */
    image: string = "python:3.12-slim-bookworm",
  ): Container {
    const pm = pythonPackageManager(packageManager);
    return builds.pythonEnv(source, { packageManager: pm, requirements, huggingFace, image }).withExec(builds.pythonRun(pm, args));
  }

  // -------------------------------------------------------------------------------------- Go

  /**
   * Go with `go mod download` done from go.mod + go.sum, then the source copied into /src.
   * Module cache on the `go-mod` volume, build cache on the `go-build` volume.
   */
  @func()
  goEnv(
    /** Module root (needs go.mod and go.sum). */
    source: Directory,
    /** Go base image. */
    image: string = "golang:1.24-bookworm",
    /** Enable cgo (CGO_ENABLED=1). */
    cgo: boolean = false,
  ): Container {
    return builds.goEnv(source, { image, cgo });
  }

  /** `go build -trimpath` of the packages; returns the directory of binaries. */
  @func()
  goBuild(
    /** Module root (needs go.mod and go.sum). */
    source: Directory,
    /** Packages to build. */
    packages: string[] = ["./..."],
    /** Go base image. */
    image: string = "golang:1.24-bookworm",
    /** Enable cgo (CGO_ENABLED=1). */
    cgo: boolean = false,
  ): Directory {
    return builds.goBuild(source, packages, { image, cgo });
  }

  /** `go test` of the packages. Returns the container after the tests. */
  @func()
  goTest(
    /** Module root (needs go.mod and go.sum). */
    source: Directory,
    /** Packages to test. */
    packages: string[] = ["./..."],
    /** Go base image. */
    image: string = "golang:1.24-bookworm",
    /** Enable cgo (CGO_ENABLED=1; needed by -race). */
    cgo: boolean = false,
  ): Container {
    return builds.goEnv(source, { image, cgo }).withExec(["go", "test", ...packages]);
  }
}
