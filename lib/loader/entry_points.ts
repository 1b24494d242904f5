/**
 * Likely entry points: well-known file names across ecosystems, the targets a `package.json`
 * (`main`, `bin`) or a `deno.json` (`exports`) names, and files with a "run as main" guard.
 *
 * @module
 */

/**
 * Base names that mark an entry point or a project manifest: deeprepo's list plus `deno.json`,
 * `deno.jsonc`, `Cargo.toml`, `go.mod` and Python's `__main__.py`.
 */
export const ENTRY_POINT_NAMES: ReadonlySet<string> = new Set([
  ...["main.py", "app.py", "index.py", "server.py", "run.py", "manage.py", "wsgi.py", "asgi.py"],
  ...["__main__.py", "setup.py", "pyproject.toml"],
  ...["index.js", "index.ts", "main.js", "main.ts", "app.js", "app.ts", "package.json"],
  ...["deno.json", "deno.jsonc"],
  ...["main.go", "go.mod", "main.rs", "Cargo.toml", "Main.java"],
  ...["Dockerfile", "docker-compose.yml", "README.md"],
]);

/** `if __name__ == "__main__":` at the start of a line, in Python. */
const PYTHON_MAIN = /^\s*if\s+__name__\s*==\s*["']__main__["']/m;
/** `if (import.meta.main)` (Deno, Bun) or `if (require.main === module)` (Node), starting a line. */
const JS_MAIN = /^\s*if\s*\(\s*(?:import\.meta\.main|require\.main\s*===?\s*module)\b/m;
const JS_EXTENSION = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Type declarations (`.d.ts`) hold no code to run: not scanned for guards. */
const DECLARATION_FILE = /\.d\.[cm]?ts$/;

/**
 * Finds likely entry points in a loaded codebase.
 *
 * @param codebase Path → content of the files read (placeholders are fine: they match nothing).
 * @returns Sorted paths, each once.
 */
export function findEntryPoints(codebase: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  for (const [path, content] of Object.entries(codebase)) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (ENTRY_POINT_NAMES.has(name)) found.add(path);
    if (name === "package.json" || name === "deno.json") {
      for (const target of manifestTargets(path, content)) {
        const file = resolveTarget(target, codebase);
        if (file !== undefined) found.add(file);
      }
    } else if (path.endsWith(".py")) {
      if (content.includes("__main__") && PYTHON_MAIN.test(content)) found.add(path);
    } else if (JS_EXTENSION.test(path) && !DECLARATION_FILE.test(path)) {
      if (content.includes(".main") && JS_MAIN.test(content)) found.add(path);
    }
  }
  return [...found].sort();
}

/** Endings Node tries for a `main` or `bin` written without one, in its order. */
const TARGET_ENDINGS = ["", ".js", ".mjs", ".cjs", ".ts", "/index.js", "/index.mjs", "/index.ts"];

/** The loaded file a manifest target names (`lib/index` → `lib/index.js`), if any. */
function resolveTarget(
  target: string,
  codebase: Readonly<Record<string, string>>,
): string | undefined {
  if (target === "") return resolveTarget("index", codebase); // "main": "." or "./"
  for (const ending of TARGET_ENDINGS) {
    if (target + ending in codebase) return target + ending;
  }
  return undefined;
}

/**
 * The targets a manifest names, as paths relative to the repository root: a `package.json`'s
 * `main` and `bin`, a `deno.json`'s `exports` (a string, or an object of them).
 */
function manifestTargets(manifestPath: string, content: string): string[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(content);
  } catch {
    return [];
  }
  if (!manifest || typeof manifest !== "object") return [];
  const { main, bin, exports } = manifest as { main?: unknown; bin?: unknown; exports?: unknown };
  const targets: unknown[] = [];
  const addAll = (value: unknown) => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") targets.push(...Object.values(value));
  };
  if (manifestPath.endsWith("deno.json")) {
    addAll(exports);
  } else {
    targets.push(main);
    addAll(bin);
  }
  const folder = manifestPath.includes("/")
    ? manifestPath.slice(0, manifestPath.lastIndexOf("/"))
    : "";
  return targets
    .filter((t): t is string => typeof t === "string" && t !== "")
    .map((t) => normalizeRelative(folder, t))
    .filter((t): t is string => t !== null);
}

/** Joins `folder` and a relative `target`, resolving `.` and `..`; null when it leaves the root. */
function normalizeRelative(folder: string, target: string): string | null {
  const parts: string[] = folder === "" ? [] : folder.split("/");
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join("/");
}
