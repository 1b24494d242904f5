/**
 * The commands a project builds, tests, lints and formats with, read exactly from its own
 * files (package.json scripts, deno.json tasks, Makefile targets, pyproject.toml tools, Cargo
 * and Go modules, CI workflow steps). Nothing is run; nothing is guessed beyond the file.
 *
 * @module
 */
import { parse as parseJsonc } from "npm:jsonc-parser@3.3.1";
import { parse as parseToml } from "npm:smol-toml@1.9.1";
import { parse as parseYaml } from "npm:yaml@2.9.1";

/** What a command is for. */
export type CommandKind = "build" | "test" | "lint" | "format" | "run" | "other";

/** One command and the file it was found in. */
export interface ProjectCommand {
  kind: CommandKind;
  command: string;
  source: string;
}

/** Commands taken from CI workflows, at most (the first steps are the ones that matter). */
const MAX_CI_COMMANDS = 12;

/**
 * Finds the project's commands.
 *
 * @param files Loaded files: path → text (the snapshot's `codebase`).
 * @param allPaths Every path seen, loaded or not (lockfiles are skipped but tell the package
 *   manager).
 */
export function projectCommands(
  files: Record<string, string>,
  allPaths: Iterable<string> = Object.keys(files),
): ProjectCommand[] {
  const paths = new Set(allPaths);
  const found: ProjectCommand[] = [
    ...packageScripts(files["package.json"], packageManager(paths)),
    ...denoTasks(
      files["deno.json"] ?? files["deno.jsonc"],
      files["deno.json"] ? "deno.json" : "deno.jsonc",
    ),
    ...makeTargets(files["Makefile"] ?? files["makefile"]),
    ...pyprojectTools(files["pyproject.toml"]),
    ...(paths.has("Cargo.toml") ? cargo() : []),
    ...(paths.has("go.mod") ? golang() : []),
    ...workflowSteps(files),
  ];
  const seen = new Set<string>();
  return found.filter((c) => !seen.has(c.command) && seen.add(c.command));
}

/** Classifies a script or target name (or a command line) by its words. */
export function kindOf(name: string): CommandKind {
  const n = name.toLowerCase();
  if (/\b(test|tests|spec|e2e|pytest|jest|vitest|mocha|coverage)\b|^test/.test(n)) return "test";
  if (/\b(lint|eslint|clippy|vet|ruff|flake8|pylint|mypy|typecheck|check|tsc)\b/.test(n)) {
    return "lint";
  }
  if (/\b(fmt|format|prettier|black|isort)\b/.test(n)) return "format";
  if (/\b(build|compile|bundle|dist|package)\b/.test(n)) return "build";
  if (/\b(dev|start|serve|run|watch)\b/.test(n)) return "run";
  return "other";
}

function packageManager(paths: Set<string>): string {
  if (paths.has("pnpm-lock.yaml")) return "pnpm";
  if (paths.has("yarn.lock")) return "yarn";
  if (paths.has("bun.lock") || paths.has("bun.lockb")) return "bun";
  return "npm";
}

function packageScripts(text: string | undefined, pm: string): ProjectCommand[] {
  const pkg = safe(() => JSON.parse(text ?? "")) as { scripts?: Record<string, unknown> };
  if (!pkg?.scripts || typeof pkg.scripts !== "object") return [];
  return Object.keys(pkg.scripts).filter((name) => /^[\w:.-]+$/.test(name)).map((name) => ({
    kind: kindOf(name),
    command: name === "test" && pm === "npm" ? "npm test" : `${pm} run ${name}`,
    source: "package.json",
  }));
}

function denoTasks(text: string | undefined, source: string): ProjectCommand[] {
  const config = safe(() => parseJsonc(text ?? "")) as { tasks?: Record<string, unknown> };
  if (!config?.tasks || typeof config.tasks !== "object") return [];
  return Object.keys(config.tasks).filter((name) => /^[\w:.-]+$/.test(name)).map((name) => ({
    kind: kindOf(name),
    command: `deno task ${name}`,
    source,
  }));
}

function makeTargets(text: string | undefined): ProjectCommand[] {
  if (!text) return [];
  const targets = [...text.matchAll(/^([A-Za-z][\w.-]*)\s*:(?!=)/gm)].map((m) => m[1]);
  return [...new Set(targets)].slice(0, 20).map((t) => ({
    kind: kindOf(t),
    command: `make ${t}`,
    source: "Makefile",
  }));
}

function pyprojectTools(text: string | undefined): ProjectCommand[] {
  const doc = safe(() => parseToml(text ?? "")) as Record<string, Record<string, unknown>>;
  if (!doc) return [];
  const tool = (doc.tool ?? {}) as Record<string, unknown>;
  const out: ProjectCommand[] = [];
  const add = (kind: CommandKind, command: string) =>
    out.push({ kind, command, source: "pyproject.toml" });
  if (tool.pytest) add("test", "pytest");
  if (tool.ruff) add("lint", "ruff check .");
  if (tool.mypy) add("lint", "mypy .");
  if (tool.black) add("format", "black .");
  const scripts = (doc.project?.scripts ?? (tool.poetry as Record<string, unknown>)?.scripts) as
    | Record<string, unknown>
    | undefined;
  for (const name of Object.keys(scripts ?? {}).slice(0, 10)) add("run", name);
  return out;
}

function cargo(): ProjectCommand[] {
  return [
    { kind: "build", command: "cargo build", source: "Cargo.toml" },
    { kind: "test", command: "cargo test", source: "Cargo.toml" },
    { kind: "lint", command: "cargo clippy", source: "Cargo.toml" },
  ];
}

function golang(): ProjectCommand[] {
  return [
    { kind: "build", command: "go build ./...", source: "go.mod" },
    { kind: "test", command: "go test ./...", source: "go.mod" },
    { kind: "lint", command: "go vet ./...", source: "go.mod" },
  ];
}

function workflowSteps(files: Record<string, string>): ProjectCommand[] {
  const out: ProjectCommand[] = [];
  const workflows = Object.keys(files)
    .filter((p) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p))
    .sort();
  for (const path of workflows) {
    const doc = safe(() => parseYaml(files[path])) as { jobs?: Record<string, unknown> };
    for (const job of Object.values(doc?.jobs ?? {})) {
      const steps = (job as { steps?: unknown })?.steps;
      if (!Array.isArray(steps)) continue;
      for (const step of steps) {
        const run = (step as { run?: unknown })?.run;
        if (typeof run !== "string") continue;
        for (const line of run.split("\n").map((l) => l.trim())) {
          if (!line || line.startsWith("#") || line.length > 160) continue;
          out.push({ kind: kindOf(line), command: line, source: path });
          if (out.length >= MAX_CI_COMMANDS) return out;
        }
      }
    }
  }
  return out;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
