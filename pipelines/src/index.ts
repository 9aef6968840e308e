/**
 * Dagger pipelines for cdktf-dagger-runners.
 *
 * This repository's own CI/CD (lint, test, synth, ci; plan, which posts every stack's plan as
 * the pull request's comment; deploy, which applies exactly the saved plan it printed) and
 * reusable, cache-friendly build and test functions for application repositories (Node with
 * npm, Python with pip or uv, Go). Every reusable function copies the dependency manifests and
 * installs them before copying the source, and keeps package-manager caches on named cache
 * volumes in a namespace per repository, so jobs on the shared, long-lived engines of the
 * self-hosted runners start warm without sharing a cache across trust levels.
 *
 *   dagger functions
 *   dagger call ci --source=.
 *   dagger call plan --help
 *   dagger -m github.com/<org>/cdktf-dagger-runners call node-test --source=.
 */
import { Container, Directory, File, Secret, argument, float, func, object } from "@dagger.io/dagger";
import * as builds from "./builds.js";
import * as modelPipelines from "./model.js";
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
 * CI/CD of cdktf-dagger-runners (lint, test, synth, ci; plan as a pull request comment; deploy of
 * the saved plan) and cached Node, Python and Go builds for application repositories.
 */
@object()
export class Pipelines {
  // ------------------------------------------------------------------ this repository's CI/CD
  // Every `source` below repeats repo.ts REPO_IGNORE literally (the introspector evaluates the
  // decorator's text); test/pipelines-module.test.ts requires each copy to equal it.

  /**
   * Type-checks the repository (`npm run typecheck`, which also checks this module against
   * the pinned Dagger SDK). Returns the container after the check.
   */
  @func()
  lint(
    /** The repository root (Terraform state, installs and outputs are never uploaded). */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/cdktf.out", "dist", "coverage", "**/.gen", "**/.terraform", "**/*.tfstate*", "pipelines/sdk"] })
    source: Directory,
    /**
     * Namespace of the cache volumes: the workflows pass `<owner>/<repo>` on main,
     * `<owner>/<repo>/pr` for pull requests and `<owner>/<repo>/untrusted` for forks.
     */
    cacheNamespace: string = "local",
  ): Container {
    return repo.lint(source, cacheNamespace);
  }

  /** Runs the jest suite. Returns the container after the tests. */
  @func()
  test(
    /** The repository root (Terraform state, installs and outputs are never uploaded). */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/cdktf.out", "dist", "coverage", "**/.gen", "**/.terraform", "**/*.tfstate*", "pipelines/sdk"] })
    source: Directory,
    /**
     * Namespace of the cache volumes: the workflows pass `<owner>/<repo>` on main,
     * `<owner>/<repo>/pr` for pull requests and `<owner>/<repo>/untrusted` for forks.
     */
    cacheNamespace: string = "local",
  ): Container {
    return repo.test(source, cacheNamespace);
  }

  /**
   * Validates the config and synthesizes the stacks (`npm run synth`). Returns the `cdktf.out`
   * directory: export it with `dagger call synth --source=. export --path=cdktf.out`.
   */
  @func()
  synth(
    /** The repository root (Terraform state, installs and outputs are never uploaded). */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/cdktf.out", "dist", "coverage", "**/.gen", "**/.terraform", "**/*.tfstate*", "pipelines/sdk"] })
    source: Directory,
    /** Deployment config (YAML or JSON) used as RUNNERS_CONFIG; without it, the built-in default. */
    config?: File,
    /**
     * Namespace of the cache volumes: the workflows pass `<owner>/<repo>` on main,
     * `<owner>/<repo>/pr` for pull requests and `<owner>/<repo>/untrusted` for forks.
     */
    cacheNamespace: string = "local",
  ): Directory {
    return repo.synth(source, config, cacheNamespace);
  }

  /**
   * Synthesizes, then runs `terraform plan` (no state lock) for every stack, upstream first; a
   * stack whose upstream is not deployed yet is reported as waiting for it. Returns the summary
   * and every plan. With prCommentToken, repository and pullRequest it also creates, or updates
   * in place, the pull request's plan comment (counts, impact, runner labels, the full plans
   * folded, cut to GitHub's 65536-character limit). Never cached: every call plans against live
   * state. Google credentials: googleCredentials, or the four GitHub OIDC arguments.
   */
  @func({ cache: "never" })
  async plan(
    /** The repository root (Terraform state, installs and outputs are never uploaded). */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/cdktf.out", "dist", "coverage", "**/.gen", "**/.terraform", "**/*.tfstate*", "pipelines/sdk"] })
    source: Directory,
    /** Deployment config (YAML or JSON) used as RUNNERS_CONFIG; without it, the built-in default. */
    config?: File,
    /** Stacks to plan; empty plans every stack of cdktf.out/manifest.json, upstream first. */
    stacks: string[] = [],
    /** Application Default Credentials file for a workstation (e.g. `file:$HOME/.config/gcloud/application_default_credentials.json`); CI uses GitHub OIDC instead. */
    googleCredentials?: Secret,
    /** GitHub OIDC: the runner's ACTIONS_ID_TOKEN_REQUEST_URL (`env:ACTIONS_ID_TOKEN_REQUEST_URL`; the job needs `id-token: write`). */
    oidcRequestUrl?: Secret,
    /** GitHub OIDC: the runner's ACTIONS_ID_TOKEN_REQUEST_TOKEN (`env:ACTIONS_ID_TOKEN_REQUEST_TOKEN`). */
    oidcRequestToken?: Secret,
    /** GitHub OIDC: the workload identity provider, `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
    workloadIdentityProvider?: string,
    /** GitHub OIDC: the service account to impersonate (the plan identity: read-only roles). */
    serviceAccount?: string,
    /** GitHub App private key (PEM), TF_VAR_github_app_private_key; without it the plan uses a placeholder and says so. */
    githubAppPrivateKey?: Secret,
    /** GitHub personal access token of the runners, TF_VAR_github_token; without it the plan uses a placeholder and says so. */
    githubToken?: Secret,
    /** Dagger Cloud token, TF_VAR_dagger_cloud_token; without it the plan uses a placeholder and says so. */
    daggerCloudToken?: Secret,
    /** Token allowed to comment on the pull request (the workflow's GITHUB_TOKEN with `pull-requests: write`). */
    prCommentToken?: Secret,
    /** Repository of the pull request, `owner/name` (`github.repository`). */
    repository?: string,
    /** Pull request number (`github.event.pull_request.number`). */
    pullRequest?: number,
    /** GitHub REST API root (`github.api_url`; GitHub Enterprise Server: `https://<host>/api/v3`). */
    githubApiUrl: string = "https://api.github.com",
    /** Commit being planned, shown in the comment's title (`github.event.pull_request.head.sha`). */
    commit?: string,
    /**
     * Namespace of the cache volumes: the workflows pass `<owner>/<repo>` on main,
     * `<owner>/<repo>/pr` for pull requests and `<owner>/<repo>/untrusted` for forks.
     */
    cacheNamespace: string = "local",
  ): Promise<string> {
    const auth = repo.googleAuth({ googleCredentials, oidcRequestUrl, oidcRequestToken, workloadIdentityProvider, serviceAccount });
    return repo.plan(
      source,
      { auth, secrets: { githubAppPrivateKey, githubToken, daggerCloudToken }, stacks, config, cacheNamespace, commit },
      { token: prCommentToken, repository, pullRequest, apiUrl: githubApiUrl },
    );
  }

  /**
   * Plans and applies each stack, upstream first, applying exactly the saved plan it printed
   * (never a re-plan). Refuses, before any container runs, a missing config, a config that
   * still has a placeholder (gcp.projectId, github.configUrl) and a local state backend.
   * Sensitive Terraform variables are passed as secrets (`TF_VAR_...` secret variables).
   * Returns the applied summary and plans. Never cached.
   */
  @func({ cache: "never" })
  async deploy(
    /** The repository root (Terraform state, installs and outputs are never uploaded). */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/cdktf.out", "dist", "coverage", "**/.gen", "**/.terraform", "**/*.tfstate*", "pipelines/sdk"] })
    source: Directory,
    /** Deployment config (YAML or JSON); required: the built-in default is a placeholder deployment. */
    config?: File,
    /** Stacks to deploy; empty deploys every stack, upstream first. */
    stacks: string[] = [],
    /** Application Default Credentials file for a workstation (the first deploy); CI uses GitHub OIDC instead. */
    googleCredentials?: Secret,
    /** GitHub OIDC: the runner's ACTIONS_ID_TOKEN_REQUEST_URL (`env:ACTIONS_ID_TOKEN_REQUEST_URL`; the job needs `id-token: write`). */
    oidcRequestUrl?: Secret,
    /** GitHub OIDC: the runner's ACTIONS_ID_TOKEN_REQUEST_TOKEN (`env:ACTIONS_ID_TOKEN_REQUEST_TOKEN`). */
    oidcRequestToken?: Secret,
    /** GitHub OIDC: the workload identity provider, `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
    workloadIdentityProvider?: string,
    /** GitHub OIDC: the service account to impersonate (the deploy identity, usable from main only). */
    serviceAccount?: string,
    /** GitHub App private key (PEM), exposed as TF_VAR_github_app_private_key. */
    githubAppPrivateKey?: Secret,
    /** GitHub personal access token of the runners, exposed as TF_VAR_github_token. */
    githubToken?: Secret,
    /** Dagger Cloud token, exposed as TF_VAR_dagger_cloud_token. */
    daggerCloudToken?: Secret,
    /**
     * Namespace of the cache volumes: the workflows pass `<owner>/<repo>` on main,
     * `<owner>/<repo>/pr` for pull requests and `<owner>/<repo>/untrusted` for forks.
     */
    cacheNamespace: string = "local",
  ): Promise<string> {
    const auth = repo.googleAuth({ googleCredentials, oidcRequestUrl, oidcRequestToken, workloadIdentityProvider, serviceAccount });
    return repo.deploy(source, {
      auth,
      secrets: { githubAppPrivateKey, githubToken, daggerCloudToken },
      stacks,
      config,
      cacheNamespace,
    });
  }

  /**
   * This repository's CI: lint, test and synth run concurrently; fails if any fails, naming
   * every failed step.
   */
  @func()
  async ci(
    /** The repository root (Terraform state, installs and outputs are never uploaded). */
    @argument({ defaultPath: "/", ignore: [".git", "**/node_modules", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/cdktf.out", "dist", "coverage", "**/.gen", "**/.terraform", "**/*.tfstate*", "pipelines/sdk"] })
    source: Directory,
    /**
     * Namespace of the cache volumes: the workflows pass `<owner>/<repo>` on main,
     * `<owner>/<repo>/pr` for pull requests and `<owner>/<repo>/untrusted` for forks.
     */
    cacheNamespace: string = "local",
  ): Promise<string> {
    const steps: [string, () => Promise<unknown>][] = [
      ["lint", () => this.lint(source, cacheNamespace).sync()],
      ["test", () => this.test(source, cacheNamespace).sync()],
      ["synth", () => this.synth(source, undefined, cacheNamespace).sync()],
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
   * volume of the namespace), then the source copied into /src. Chain further commands on it.
   */
  @func()
  nodeEnv(
    /** Project root (needs package-lock.json). */
    source: Directory,
    /** Node base image. */
    image: string = "node:22-bookworm-slim",
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Container {
    return builds.nodeEnv(source, { image, cacheNamespace });
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
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Directory {
    return builds.nodeEnv(source, { image, cacheNamespace }).withExec(["npm", "run", script]).directory(`${builds.WORKDIR}/${output}`);
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
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Container {
    return builds.nodeEnv(source, { image, cacheNamespace }).withExec(["npm", "run", script]);
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
    /** Mount the Hugging Face hub cache (`huggingface-hub` volume, HF_HUB_CACHE; never the token in HF_HOME) for ML projects. */
    huggingFace: boolean = false,
    /** Python base image. */
    image: string = "python:3.12-slim-bookworm",
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Container {
    return builds.pythonEnv(source, { packageManager: pythonPackageManager(packageManager), requirements, huggingFace, image, cacheNamespace });
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
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Directory {
    return builds.pythonBuild(source, { packageManager: pythonPackageManager(packageManager), requirements, image, cacheNamespace });
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
    /** Mount the Hugging Face hub cache (`huggingface-hub` volume, HF_HUB_CACHE; never the token in HF_HOME) for ML projects. */
    huggingFace: boolean = false,
    /** Python base image. */
    image: string = "python:3.12-slim-bookworm",
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Container {
    const pm = pythonPackageManager(packageManager);
    return builds.pythonEnv(source, { packageManager: pm, requirements, huggingFace, image, cacheNamespace }).withExec(builds.pythonRun(pm, args));
  }

  /**
   * Model pipeline for a GPU runner (`runs-on: dagger-v0.20-gpu`): pulls the model's weights into
   * the Hugging Face hub cache volume, runs the evaluation on the engine's GPUs, fails when the
   * score is below the threshold, and publishes the model image only above it. Returns the
   * published reference. Needs a GPU engine (cluster.nodePools.gpu.engines).
   */
  @func({ cache: "never" })
  async modelPipeline(
    /** Project root: the evaluation and its locked dependencies, which must include huggingface_hub (e.g. through transformers). */
    source: Directory,
    /** Hugging Face model repository, e.g. `distilbert/distilbert-base-uncased-finetuned-sst-2-english`. */
    model: string,
    /** Image address to publish to when the score passes, e.g. `us-docker.pkg.dev/my-project/models/sst2:v1`. */
    address: string,
    /**
     * Lowest score that publishes, e.g. 0.9; below it the function fails and nothing is published.
     * Required: the SDK's introspector (0.20.0, `resolveParameterDefaultValue`) registers a
     * numeric default through `parseInt`, so a default of 0.9 would become 0 and pass everything.
     */
    threshold: float,
    /** Model revision; a commit hash pins the weights (a branch moves). */
    revision: string = "main",
    /** Evaluation run on the GPU (a command for uv, a module for pip); it writes its score, a number, to $EVAL_SCORE_FILE. */
    evalArgs: string[] = ["python", "eval.py"],
    /** "uv" (pyproject.toml + uv.lock) or "pip" (requirements files). */
    packageManager: string = "uv",
    /** pip only: requirements files, relative to the project root. */
    requirements: string[] = ["requirements.txt"],
    /** Python base image (PyTorch wheels bring their CUDA libraries; the GPU engine brings the driver). */
    image: string = "python:3.12-slim-bookworm",
    /** Hugging Face token for gated or private models (download step only). */
    hfToken?: Secret,
    /** Registry user for the publish (with registryPassword). */
    registryUsername?: string,
    /** Registry password or access token for the publish (with registryUsername). */
    registryPassword?: Secret,
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Promise<string> {
    return modelPipelines.modelPipeline(
      source,
      address,
      evalArgs,
      threshold,
      { model, revision, packageManager: pythonPackageManager(packageManager), requirements, image, hfToken, cacheNamespace },
      { username: registryUsername, password: registryPassword },
    );
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
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Container {
    return builds.goEnv(source, { image, cgo, cacheNamespace });
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
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Directory {
    return builds.goBuild(source, packages, { image, cgo, cacheNamespace });
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
    /** Namespace of the cache volumes, e.g. `<owner>/<repo>` (pull requests: `<owner>/<repo>/pr`, forks: `<owner>/<repo>/untrusted`). */
    cacheNamespace: string = "local",
  ): Container {
    return builds.goEnv(source, { image, cgo, cacheNamespace }).withExec(["go", "test", ...packages]);
  }
}
