/**
 * The layer rules of deeprepo, checked over the real import graph (as `deno info --json` reports
 * it, type-only and literal dynamic imports included). Modelled on denoland/std's
 * `_tools/check_circular_package_dependencies.ts`. The rules:
 *
 * 1. **No cycle between `lib/*` folders** (files directly in `lib/`, such as `errors.ts`, form the
 *    folder `lib`, the bottom layer).
 * 2. **Nothing below the CLI imports `lib/cli`**: only `main.ts` and `lib/cli` itself may.
 * 3. **A folder with a `mod.ts` is entered through it**: a file outside the folder imports its
 *    `mod.ts`, never another of its files (except the {@linkcode ExtraEntry}s listed).
 * 4. **`lib/` imports nothing from `tests/`, `bench/`, `scripts/` or `examples/`.**
 *
 * `deno run --allow-read --allow-run --allow-write scripts/layers.ts` prints the folder graph and
 * every violation (exit 1 when there is one); `tests/layers_test.ts` runs the same check.
 *
 * @module
 */

/** One import: `from` imports `to` (paths relative to the repository root, `/`-separated). */
export interface ImportEdge {
  from: string;
  to: string;
  /** 1-based line of the import in `from`. */
  line: number;
}

/** A file other than `mod.ts` that some importers outside its folder may use. */
export interface ExtraEntry {
  /** The file, e.g. `lib/providers/types.ts`. */
  file: string;
  /** Path prefixes of the importers allowed to use it, e.g. `plugins/`. */
  importers: string[];
  /** Why it is public to them. */
  why: string;
}

/** What the rules need besides the edges. */
export interface LayerOptions {
  /** Folders (relative paths) that hold a `mod.ts`. */
  modFolders: string[];
  /** @default {DEEPREPO_EXTRA_ENTRIES} */
  extraEntries?: ExtraEntry[];
}

/** A broken rule and the imports that break it. */
export interface Violation {
  rule: "cycle" | "cli-from-below" | "around-mod" | "lib-imports-tooling";
  message: string;
}

/** deeprepo's declared exceptions to rule 3. */
export const DEEPREPO_EXTRA_ENTRIES: ExtraEntry[] = [
  {
    file: "lib/providers/types.ts",
    importers: ["plugins/", "examples/"],
    why: "the plugin API types: plugins import them type-only so they stay self-contained",
  },
  {
    file: "lib/sandbox/mode.ts",
    importers: ["main.ts"],
    why: "the entry point tells a sandbox child from the CLI before loading either side",
  },
  {
    file: "lib/sandbox/child_entry.ts",
    importers: ["main.ts"],
    why: "a compiled binary's sandbox child loads only the child side, never the host's",
  },
];

/**
 * The layer a file belongs to: `lib/<folder>` for files under a `lib` folder, `lib` for files
 * directly in `lib/`, else the first path segment (`plugins`, `tests`, …) or `.` for top-level
 * files such as `main.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(layerOf("lib/cli/commands/analyze.ts"), "lib/cli");
 * assert.equal(layerOf("lib/errors.ts"), "lib");
 * assert.equal(layerOf("plugins/anthropic.ts"), "plugins");
 * assert.equal(layerOf("main.ts"), ".");
 * ```
 */
export function layerOf(path: string): string {
  const parts = path.split("/");
  if (parts.length === 1) return ".";
  if (parts[0] === "lib") return parts.length === 2 ? "lib" : `lib/${parts[1]}`;
  return parts[0];
}

/**
 * Every rule checked over `edges`; an empty list means the layers hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const edges = [
 *   { from: "lib/engine/a.ts", to: "lib/report/b.ts", line: 1 },
 *   { from: "lib/report/b.ts", to: "lib/engine/a.ts", line: 2 },
 * ];
 * const [cycle] = checkLayers(edges, { modFolders: [] });
 * assert.equal(cycle.rule, "cycle");
 * ```
 */
export function checkLayers(edges: ImportEdge[], options: LayerOptions): Violation[] {
  return [
    ...folderCycles(edges),
    ...cliFromBelow(edges),
    ...aroundMod(edges, options.modFolders, options.extraEntries ?? DEEPREPO_EXTRA_ENTRIES),
    ...libImportsTooling(edges),
  ];
}

/** The `lib/*` folder graph: each folder and the folders it imports (sorted). */
export function folderGraph(edges: ImportEdge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = layerOf(from), b = layerOf(to);
    if (!a.startsWith("lib") || !b.startsWith("lib")) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    if (!graph.has(b)) graph.set(b, new Set());
    if (a !== b) graph.get(a)!.add(b);
  }
  return new Map([...graph.keys()].sort().map((k) => [k, new Set([...graph.get(k)!].sort())]));
}

/**
 * The strongly connected groups of more than one node (Tarjan's algorithm): each is a set of
 * folders that import each other, directly or through others.
 */
export function stronglyConnected(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return groups;
}

function folderCycles(edges: ImportEdge[]): Violation[] {
  return stronglyConnected(folderGraph(edges)).map((group) => {
    const inside = edges.filter((e) =>
      layerOf(e.from) !== layerOf(e.to) && group.includes(layerOf(e.from)) &&
      group.includes(layerOf(e.to))
    );
    return {
      rule: "cycle",
      message: `import cycle between ${group.join(", ")}:\n` +
        inside.map((e) => `  ${where(e)} imports ${e.to}`).join("\n"),
    };
  });
}

function cliFromBelow(edges: ImportEdge[]): Violation[] {
  return edges
    .filter((e) =>
      layerOf(e.to) === "lib/cli" && !["lib/cli", ".", "tests"].includes(layerOf(e.from))
    )
    .map((e) => ({
      rule: "cli-from-below",
      message: `${where(e)} imports ${e.to}: only main.ts and lib/cli may import lib/cli`,
    }));
}

function aroundMod(edges: ImportEdge[], modFolders: string[], extra: ExtraEntry[]): Violation[] {
  const violations: Violation[] = [];
  for (const e of edges) {
    for (const folder of modFolders) {
      const inside = (path: string) => path.startsWith(`${folder}/`);
      if (!inside(e.to) || inside(e.from) || e.to === `${folder}/mod.ts`) continue;
      if (layerOf(e.from) === "tests" || layerOf(e.from) === "bench") continue;
      if (extra.some((x) => x.file === e.to && x.importers.some((p) => e.from.startsWith(p)))) {
        continue;
      }
      violations.push({
        rule: "around-mod",
        message: `${where(e)} imports ${e.to}: import ${folder}/mod.ts instead`,
      });
    }
  }
  return violations;
}

function libImportsTooling(edges: ImportEdge[]): Violation[] {
  const tooling = ["tests", "bench", "scripts", "examples"];
  return edges
    .filter((e) => layerOf(e.from).startsWith("lib") && tooling.includes(layerOf(e.to)))
    .map((e) => ({
      rule: "lib-imports-tooling",
      message: `${where(e)} imports ${e.to}: lib/ must not depend on ${layerOf(e.to)}/`,
    }));
}

const where = (e: ImportEdge) => `${e.from}:${e.line}`;

/** The subset of `deno info --json` output that {@linkcode importEdges} reads. */
export interface DenoInfo {
  modules: {
    specifier: string;
    dependencies?: {
      code?: { specifier: string; span: { start: { line: number } } };
      type?: { specifier: string; span: { start: { line: number } } };
    }[];
  }[];
}

/**
 * The local imports between files under `root` (a `file://` URL ending in `/`), from a module
 * graph in `deno info --json` form. Imports of npm packages, `node:` and remote modules are left
 * out; an import that is both a value and a type import counts once.
 */
export function importEdges(info: DenoInfo, root: string): ImportEdge[] {
  const local = (specifier: string) =>
    specifier.startsWith(root) ? specifier.slice(root.length) : undefined;
  const edges = new Map<string, ImportEdge>();
  for (const module of info.modules) {
    const from = local(module.specifier);
    if (from === undefined) continue;
    for (const dependency of module.dependencies ?? []) {
      for (const resolved of [dependency.code, dependency.type]) {
        const to = resolved && local(resolved.specifier);
        if (to === undefined || to === from) continue;
        edges.set(`${from} ${to}`, { from, to, line: resolved!.span.start.line + 1 });
      }
    }
  }
  return [...edges.values()];
}

/**
 * The import graph of every `.ts` file under `folders` of the repository at `root` (a `file://`
 * URL ending in `/`), through one `deno info --json` run over a temporary module that imports
 * them all. Also returns the folders that hold a `mod.ts`.
 */
export async function repositoryGraph(
  root: string,
  folders: string[],
): Promise<{ edges: ImportEdge[]; files: string[]; modFolders: string[] }> {
  const rootPath = decodeURIComponent(new URL(root).pathname);
  const files: string[] = [];
  for (const folder of folders) await collect(rootPath, folder, files);
  files.sort();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo-layers-" });
  try {
    const entry = `${dir}/all.ts`;
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import ${JSON.stringify(new URL(f, root).href)};\n`).join(""),
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${rootPath}deno.json`, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(output.stderr).trim()}`);
    }
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as DenoInfo;
    const modFolders = files.filter((f) => f.endsWith("/mod.ts")).map((f) => f.slice(0, -7));
    return { edges: importEdges(info, root), files, modFolders };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function collect(rootPath: string, path: string, into: string[]): Promise<void> {
  const info = await Deno.stat(`${rootPath}${path}`);
  if (info.isFile) {
    if (path.endsWith(".ts")) into.push(path);
    return;
  }
  for await (const entry of Deno.readDir(`${rootPath}${path}`)) {
    if (entry.isDirectory || entry.isFile) await collect(rootPath, `${path}/${entry.name}`, into);
  }
}

/** The folders whose files the layer rules cover. */
export const CHECKED_FOLDERS = ["main.ts", "lib", "plugins", "examples"];

if (import.meta.main) {
  const root = new URL("../", import.meta.url).href;
  const { edges, modFolders } = await repositoryGraph(root, CHECKED_FOLDERS);
  for (const [folder, deps] of folderGraph(edges)) {
    console.log(`${folder.padEnd(14)} → ${[...deps].join(", ") || "(nothing)"}`);
  }
  const violations = checkLayers(edges, { modFolders });
  for (const v of violations) console.log(`\n[${v.rule}] ${v.message}`);
  console.log(`\n${edges.length} imports checked, ${violations.length} violation(s).`);
  if (violations.length) Deno.exit(1);
}
