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
 *   available), the whole command as a user runs it, with the permissions `deno task deeprepo`,
 *   `deno install` and the binary use (`scripts/compile.ts`).
 * - `cli -A`: the same with `deno run -A`.
 * - `cli old`: the same with the permissions used before (`--allow-sys=homedir,...`, no
 *   `--allow-ffi`), under which Deno canonicalises every path it opens.
 * - `python`: deeprepo's Python loader (`deeprepo/codebase_loader.py` at commit 558e69d of
 *   Leonwenhao/deeprepo), `load_codebase(folder)` in a fresh `python3`, printing the metadata as
 *   JSON. Its path comes from `DEEPREPO_BENCH_PY_LOADER`; without it the row is skipped with
 *   the reason printed.
 * - `scan`: the secret scan alone, in this process, over the loaded texts (one thread), and
 *   `in-process --no-redact`: the load without it (the difference of the two in-process rows is
 *   the scan's cost inside a load).
 * - `cli start-up`: the same command on a one-file folder: the fixed cost before loading.
 *
 * The folder is the first argument, else `DEEPREPO_BENCH_REPO`, else a generated tree.
 *
 * Targets: whole-process loading ≤ 2× the `cat` floor (issue 2); the `cli` command ≤ 1.0× the
 * Python loader, secret scanning included (issue 13).
 *
 * @module
 */
import { loadCodebase } from "../lib/loader/mod.ts";
import { findSecrets } from "../lib/loader/secrets/scan.ts";
import { secretRules } from "../lib/loader/secrets/rules.ts";
import { BINARY_PERMISSIONS, UNSTABLE_FLAGS } from "../scripts/compile.ts";

/** One benchmark's printed result. */
export interface BenchResult {
  name: string;
  lines: string[];
}

/** Options of {@linkcode benchLoader}. */
export interface LoaderBenchOptions {
  /** Folder to load; a generated tree when absent. */
  folder?: string;
  /** Path of the Python deeprepo's `codebase_loader.py`; its row is skipped when absent. */
  pythonLoader?: string;
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
    const python = await pythonCommand(options.pythonLoader, folder);
    const texts = snapshot.files.filter((f) => f.status === "included")
      .map((f) => [f.path, snapshot.codebase[f.path]] as const);

    const times: Record<string, number[]> = {
      cat: [],
      "in-process": [],
      "no-redact": [],
      scan: [],
      process: [],
      cli: [],
      "cli -A": [],
      "cli old": [],
      python: [],
      startup: [],
    };
    await timeCat(snapshot.root, list); // warm the page cache once
    for (let round = 1; round <= runs; round++) {
      log(`round ${round}/${runs}`);
      times.cat.push(await timeCat(snapshot.root, list));
      times["in-process"].push(await timeInProcess(folder, true));
      times["no-redact"].push(await timeInProcess(folder, false));
      times.scan.push(timeScan(texts));
      times.process.push(await timeProcess(["run", "-A", SELF, "--child", folder]));
      if (cli) {
        times.cli.push(await timeProcess(cli.args));
        times["cli -A"].push(await timeProcess(withPermissions(cli.args, ["-A"])));
        times["cli old"].push(await timeProcess(withPermissions(cli.args, OLD_PERMISSIONS)));
        times.startup.push(await timeProcess(cli.args.map((a) => a === folder ? tiny : a)));
      }
      if (python.command) times.python.push(await timeCommand(python.command));
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
    lines.push(row("no-redact", median(times["no-redact"])) + "  (in-process, --no-redact)");
    lines.push(
      `scan        ${median(times.scan).toFixed(0).padStart(6)} ms  secret scan of the loaded ` +
        `texts alone, in 256-file chunks as the loader scans them`,
    );
    lines.push(row("process", median(times.process)));
    const pythonMs = python.command ? median(times.python) : undefined;
    if (cli) {
      const versus = (ms: number) =>
        pythonMs === undefined ? "" : `  ${(ms / pythonMs).toFixed(2)}× python`;
      lines.push(row("cli", median(times.cli)) + versus(median(times.cli)) + `  (${cli.label})`);
      lines.push(row("cli -A", median(times["cli -A"])) + versus(median(times["cli -A"])));
      lines.push(
        row("cli old", median(times["cli old"])) + versus(median(times["cli old"])) +
          "  (previous permissions: --allow-sys=homedir,..., no --allow-ffi)",
      );
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
    if (pythonMs !== undefined) {
      lines.push(row("python", pythonMs) + "  (deeprepo's Python loader, whole process)");
    } else {
      lines.push(`python      skipped: ${python.reason}`);
    }
    const whole = cli ? median(times.cli) : median(times.process);
    const verdict = whole <= 2 * cat ? "met" : "NOT met";
    lines.push(`target ≤ 2.00× cat for the whole process (${cli ? "cli" : "process"}): ${verdict}`);
    if (cli && pythonMs !== undefined) {
      const ratio = median(times.cli) / pythonMs;
      lines.push(
        `target cli ≤ 1.00× python (secret scan included): ${ratio.toFixed(2)}× — ` +
          (ratio <= 1 ? "met" : "NOT met"),
      );
    }
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

async function timeInProcess(folder: string, redact: boolean): Promise<number> {
  const started = performance.now();
  const loaded = await loadCodebase(folder, { cwd: Deno.cwd(), redact });
  await loaded.dispose();
  return performance.now() - started;
}

/** Times the secret scan of `files` in this thread, in chunks of 256 as the loader sends them. */
function timeScan(files: readonly (readonly [string, string])[]): number {
  const rules = secretRules();
  const started = performance.now();
  for (let i = 0; i < files.length; i += 256) {
    const chunk = files.slice(i, i + 256);
    findSecrets(chunk.map(([, t]) => t), chunk.map(([p]) => p), rules);
  }
  return performance.now() - started;
}

/** The permission flags in use before, which leave Deno's path canonicalisation on. */
const OLD_PERMISSIONS = BINARY_PERMISSIONS
  .filter((p) => p !== "--allow-ffi")
  .map((p) => p === "--allow-sys" ? "--allow-sys=homedir,osRelease,hostname" : p);

/** `deno run <flags> main.ts ...` with other permission flags. */
function withPermissions(args: string[], flags: readonly string[]): string[] {
  const main = args.indexOf(MAIN);
  return ["run", ...UNSTABLE_FLAGS, ...flags, ...args.slice(main)];
}

/** The command that runs the Python loader on `folder`, or why it cannot run. */
async function pythonCommand(
  loader: string | undefined,
  folder: string,
): Promise<{ command?: string[]; reason?: string }> {
  if (!loader) {
    return {
      reason: "set DEEPREPO_BENCH_PY_LOADER to deeprepo/codebase_loader.py of " +
        "Leonwenhao/deeprepo at commit 558e69d",
    };
  }
  try {
    await Deno.stat(loader);
  } catch {
    return { reason: `DEEPREPO_BENCH_PY_LOADER=${loader} does not exist` };
  }
  const script = "import sys, json, importlib.util\n" +
    "spec = importlib.util.spec_from_file_location('codebase_loader', sys.argv[1])\n" +
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n" +
    "print(json.dumps(m.load_codebase(sys.argv[2])['metadata']))\n";
  const command = ["python3", "-c", script, loader, folder];
  try {
    await timeCommand(command);
  } catch (error) {
    return { reason: `python3 could not run the loader: ${(error as Error).message}` };
  }
  return { command };
}

/** Times any command, its output read and discarded. */
async function timeCommand([program, ...args]: string[]): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - started;
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).trim().slice(0, 300));
  return ms;
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
    const args = [
      "run",
      ...UNSTABLE_FLAGS,
      ...BINARY_PERMISSIONS,
      MAIN,
      command,
      folder,
      "--dry-run",
      "--json",
    ];
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output().catch(() => null);
    if (out?.success) {
      return { label: `deeprepo ${command} --dry-run --json, task permissions`, args };
    }
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
      folder: args[0] ?? Deno.env.get("DEEPREPO_BENCH_REPO"),
      pythonLoader: Deno.env.get("DEEPREPO_BENCH_PY_LOADER"),
      runs,
      log: (line) => console.error(line),
    });
    for (const line of result.lines) console.log(line);
  }
}
