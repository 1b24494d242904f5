/**
 * Loader benchmark: how fast a folder loads, against the floor of reading the same files with
 * `cat`, measured in the same run so the machine's noise hits both.
 *
 * Usage: `deno run -A bench/loader_bench.ts [folder] [--runs N]`. Without a folder it generates
 * a tree of ~10,000 files (~9,000 loadable, the rest in `node_modules` or binary) in a temporary
 * folder and removes it afterwards.
 *
 * Measured, each the median of `runs` rounds (the rounds interleave the variants):
 * - `cat`: `xargs -0 cat > /dev/null` over the files the loader read, as one process tree.
 * - `in-process`: `loadCodebase()` in this process (module loading excluded).
 * - `process`: a fresh `deno run` of this file in child mode, which loads the folder and prints
 *   the dry-run-like JSON (`metadata` + `files`) — start-up included.
 * - `cli`: `deeprepo analyze <folder> --dry-run --json` (or `baseline` while analyze is not
 *   available), the whole command as a user runs it.
 *
 * - `cli start-up`: the same command on a one-file folder: the fixed cost before loading.
 *
 * Target (issue 2): whole-process loading ≤ 2× the `cat` floor.
 *
 * @module
 */
import { loadCodebase } from "../lib/loader/mod.ts";

/** One benchmark's printed result. */
export interface BenchResult {
  name: string;
  lines: string[];
}

/** Options of {@linkcode benchLoader}. */
export interface LoaderBenchOptions {
  /** Folder to load; a generated tree when absent. */
  folder?: string;
  /** Rounds per variant (median reported). @default {5} */
  runs?: number;
  /** Files in the generated tree. @default {10000} */
  files?: number;
  /** Progress lines (the benchmark takes a while). */
  log?(line: string): void;
}

const SELF = new URL(import.meta.url).pathname;
const MAIN = new URL("../main.ts", import.meta.url).pathname;

/**
 * Runs the loader benchmark and returns its report lines.
 *
 * @example
 * ```ts
 * const result = await benchLoader({ runs: 3 });
 * for (const line of result.lines) console.log(line);
 * ```
 */
export async function benchLoader(options: LoaderBenchOptions = {}): Promise<BenchResult> {
  const runs = options.runs ?? 5;
  const log = options.log ?? (() => {});
  const generated = options.folder === undefined;
  const folder = options.folder ?? await Deno.makeTempDir({ prefix: "deeprepo_bench_" });
  const tiny = await Deno.makeTempDir({ prefix: "deeprepo_bench_tiny_" });
  try {
    if (generated) {
      log(`generating ${options.files ?? 10_000} files in ${folder} ...`);
      await generateTree(folder, options.files ?? 10_000);
    }
    const loaded = await loadCodebase(folder, { cwd: Deno.cwd() });
    const snapshot = loaded.snapshot;
    await loaded.dispose();
    const readPaths = snapshot.files.filter((f) => f.status !== "too_large").map((f) => f.path);
    const bytes = snapshot.files.reduce(
      (sum, f) => sum + (f.status === "included" ? f.bytes : 0),
      0,
    );
    const list = new TextEncoder().encode(readPaths.map((p) => p + "\0").join(""));
    const cli = await pickCliCommand(folder);
    await Deno.writeTextFile(`${tiny}/main.ts`, "export {};\n");

    const times: Record<string, number[]> = {
      cat: [],
      "in-process": [],
      process: [],
      cli: [],
      startup: [],
    };
    await timeCat(snapshot.root, list); // warm the page cache once
    for (let round = 1; round <= runs; round++) {
      log(`round ${round}/${runs}`);
      times.cat.push(await timeCat(snapshot.root, list));
      times["in-process"].push(await timeInProcess(folder));
      times.process.push(await timeProcess(["run", "-A", SELF, "--child", folder]));
      if (cli) {
        times.cli.push(await timeProcess(cli.args));
        times.startup.push(await timeProcess(cli.args.map((a) => a === folder ? tiny : a)));
      }
    }

    const cat = median(times.cat);
    const files = snapshot.files.length;
    const lines = [
      `folder: ${generated ? "generated tree" : folder} — ${files} files loaded ` +
      `(${snapshot.skipped.length} skipped entries), ${(bytes / 1e6).toFixed(1)} MB, ` +
      `median of ${runs}`,
    ];
    const row = (name: string, ms: number) =>
      `${name.padEnd(11)} ${ms.toFixed(0).padStart(6)} ms  ` +
      `${Math.round(files / (ms / 1000)).toLocaleString("en-US").padStart(9)} files/s  ` +
      `${(bytes / 1e6 / (ms / 1000)).toFixed(0).padStart(5)} MB/s  ` +
      `${(ms / cat).toFixed(2)}× cat`;
    lines.push(row("cat", cat));
    lines.push(row("in-process", median(times["in-process"])));
    lines.push(row("process", median(times.process)));
    if (cli) {
      lines.push(row("cli", median(times.cli)) + `  (${cli.label})`);
      const startup = median(times.startup);
      lines.push(
        `cli start-up ${
          startup.toFixed(0).padStart(5)
        } ms  (the same command on a 1-file folder: ` +
          `${(startup / cat).toFixed(2)}× cat before any loading)`,
      );
    } else {
      lines.push("cli         skipped: no `--dry-run --json` command ran successfully");
    }
    const whole = cli ? median(times.cli) : median(times.process);
    const verdict = whole <= 2 * cat ? "met" : "NOT met";
    lines.push(`target ≤ 2.00× cat for the whole process (${cli ? "cli" : "process"}): ${verdict}`);
    return { name: "loader", lines };
  } finally {
    await Deno.remove(tiny, { recursive: true });
    if (generated) await Deno.remove(folder, { recursive: true });
  }
}

/** Times `xargs -0 cat > /dev/null` over the NUL-separated `list`, run inside `root`. */
async function timeCat(root: string, list: Uint8Array): Promise<number> {
  const started = performance.now();
  const child = new Deno.Command("sh", {
    args: ["-c", "xargs -0 cat > /dev/null"],
    cwd: root,
    stdin: "piped",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(list);
  await writer.close();
  const status = await child.status;
  if (!status.success) throw new Error("cat failed");
  return performance.now() - started;
}

async function timeInProcess(folder: string): Promise<number> {
  const started = performance.now();
  const loaded = await loadCodebase(folder, { cwd: Deno.cwd() });
  await loaded.dispose();
  return performance.now() - started;
}

/** Times a `deno` child process, its stdout read and discarded. */
async function timeProcess(args: string[]): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const ms = performance.now() - started;
  if (!out.success) {
    throw new Error(`deno ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

/** The first of `analyze`/`baseline` whose `--dry-run --json` succeeds on `folder`, if any. */
async function pickCliCommand(folder: string): Promise<{ label: string; args: string[] } | null> {
  for (const command of ["analyze", "baseline"]) {
    const args = ["run", "-A", MAIN, command, folder, "--dry-run", "--json"];
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output().catch(() => null);
    if (out?.success) return { label: `deeprepo ${command} --dry-run --json`, args };
  }
  return null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Writes a repository-like tree: nested packages of TypeScript, JSON and Markdown files with
 * sizes spread like real code (most a few KB, a few tens of KB), a `.gitignore`, a
 * `node_modules` folder and some binary files the loader skips. Deterministic.
 */
export async function generateTree(root: string, count: number): Promise<void> {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const loadable = Math.round(count * 0.9);
  const line = "export const value = computeSomething(input, options); // a line of code\n";
  const encoder = new TextEncoder();
  await Deno.writeTextFile(`${root}/.gitignore`, "*.log\n/tmp/\n");
  const writes: Promise<void>[] = [];
  const flush = async () => {
    await Promise.all(writes);
    writes.length = 0;
  };
  for (let i = 0; i < count; i++) {
    const pkg = `packages/pkg${i % 30}`;
    const dir = i < loadable
      ? `${root}/${pkg}/src/mod${Math.floor(i / 30) % 12}`
      : i % 3 === 0
      ? `${root}/${pkg}/assets`
      : `${root}/node_modules/dep${i % 40}/lib`;
    if (i < 30 * 12 || i >= loadable) await Deno.mkdir(dir, { recursive: true });
    const size = Math.round(300 + 40_000 * random() ** 4); // median ≈ 2.8 KB, mean ≈ 8 KB
    const ext = i >= loadable
      ? (i % 3 === 0 ? "png" : "js")
      : ["ts", "ts", "ts", "json", "md"][i % 5];
    const content = i >= loadable && i % 3 === 0
      ? new Uint8Array(size).map((_, j) => (j * 31 + i) % 256)
      : encoder.encode(line.repeat(Math.ceil(size / line.length)));
    writes.push(Deno.writeFile(`${dir}/file${i}.${ext}`, content));
    if (writes.length >= 64) await flush();
  }
  await flush();
}

/** Child mode: load the folder and print what a dry run prints (metadata + file list). */
async function child(folder: string): Promise<void> {
  const loaded = await loadCodebase(folder, { cwd: Deno.cwd() });
  try {
    const { metadata, files } = loaded.snapshot;
    const out = {
      metadata,
      files: files.map((f) => ({ path: f.path, chars: f.chars, status: f.status })),
    };
    await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(out) + "\n"));
  } finally {
    await loaded.dispose();
  }
}

if (import.meta.main) {
  const args = [...Deno.args];
  if (args[0] === "--child") {
    await child(args[1]);
  } else {
    const runsAt = args.indexOf("--runs");
    const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : undefined;
    const result = await benchLoader({
      folder: args[0],
      runs,
      log: (line) => console.error(line),
    });
    for (const line of result.lines) console.log(line);
  }
}
