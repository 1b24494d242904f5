/**
 * Writes a run's output files. Each file is written whole to a temporary name and renamed, so a
 * crash never leaves a half-written report behind.
 *
 * @module
 */
import { type OutputPaths, outputPaths } from "./naming.ts";
import { EnvironmentError, RunError } from "../errors.ts";

/** What one run leaves in the output directory. */
export interface RunOutputs {
  /** The Markdown report. */
  report: string;
  /** The metrics object (serialised as pretty JSON). */
  metrics: Record<string, unknown>;
  /** The trajectory (analyze only). */
  trajectory?: unknown;
}

/**
 * Writes the report, metrics and (when given) trajectory files, creating the directory.
 *
 * @returns The paths written, report first.
 */
export async function writeRunOutputs(paths: OutputPaths, outputs: RunOutputs): Promise<string[]> {
  const dir = paths.report.slice(0, paths.report.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const put = async (path: string, text: string) => {
    const tmp = `${path}.tmp-${crypto.randomUUID()}`;
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
    written.push(path);
  };
  await put(paths.report, outputs.report.endsWith("\n") ? outputs.report : `${outputs.report}\n`);
  await put(paths.metrics, `${JSON.stringify(outputs.metrics, null, 2)}\n`);
  if (outputs.trajectory !== undefined) {
    await put(paths.trajectory, `${JSON.stringify(outputs.trajectory, null, 2)}\n`);
  }
  return written;
}

/** Where {@linkcode writeRunOutputsSafely} wrote, and why not where asked when it fell back. */
export interface SafeWriteResult {
  paths: OutputPaths;
  /** Set when the output folder failed and the files went to a temporary folder instead. */
  fallbackError?: RunError;
}

/**
 * Writes a run's outputs into `outputDir`; when that fails (full disk, a folder that went away),
 * writes them to a fresh temporary folder instead, because the run is paid for.
 *
 * @returns The paths written, and a {@linkcode RunError} naming both places when it fell back.
 * @throws {RunError} When neither place could be written.
 */
export async function writeRunOutputsSafely(
  outputDir: string,
  kind: "deeprepo" | "baseline",
  repoName: string,
  ts: string,
  outputs: RunOutputs,
): Promise<SafeWriteResult> {
  const paths = outputPaths(outputDir, kind, repoName, ts);
  try {
    await writeRunOutputs(paths, outputs);
    return { paths };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    let fallback: OutputPaths;
    try {
      fallback = outputPaths(
        await Deno.makeTempDir({ prefix: "deeprepo_outputs_" }),
        kind,
        repoName,
        ts,
      );
      await writeRunOutputs(fallback, outputs);
    } catch {
      throw new RunError(`could not write the results to ${outputDir}: ${reason}`, { cause: e });
    }
    return {
      paths: fallback,
      fallbackError: new RunError(
        `could not write to ${outputDir} (${reason}); results saved to ${fallback.report} instead`,
        { cause: e },
      ),
    };
  }
}

/**
 * Fails before any model is called when the output folder cannot be used: it (or a parent) is
 * a file, or the nearest existing parent is not writable. Creates nothing.
 *
 * @param dir Absolute output folder.
 * @throws {EnvironmentError} Naming the folder and the reason.
 */
export async function checkOutputDir(dir: string): Promise<void> {
  const fail = (why: string) => {
    throw new EnvironmentError(`output folder ${dir}: ${why} (choose another with -o)`);
  };
  let at = dir.replace(/\/+$/, "") || "/";
  for (;;) {
    let info: Deno.FileInfo | undefined;
    try {
      info = await Deno.stat(at);
    } catch (e) {
      const missing = e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;
      if (!missing) fail(e instanceof Error ? e.message : String(e));
    }
    if (info) {
      if (!info.isDirectory) fail(at === dir ? "not a folder" : `${at} is not a folder`);
      break;
    }
    const parent = at.slice(0, at.lastIndexOf("/")) || "/";
    if (parent === at) return;
    at = parent;
  }
  // The nearest existing folder must take a new file (a probe, removed at once).
  try {
    const probe = await Deno.makeTempFile({ dir: at, prefix: ".deeprepo_probe_" });
    await Deno.remove(probe);
  } catch (e) {
    fail(`${at} is not writable: ${e instanceof Error ? e.message : String(e)}`);
  }
}
