/**
 * Writes a run's output files without ever replacing an existing file or following a link:
 * the names are reserved with exclusive creates (when any is taken, every file of the run gets
 * the next free suffix `_2`, `_3`, ...), each file is written whole to a temporary name and
 * renamed over its reservation (a crash never leaves a half-written report), files are readable
 * by the user only (0600) and folders deeprepo creates are 0700.
 *
 * @module
 */
import { type OutputPaths, outputPaths } from "./naming.ts";
import { RunError } from "../errors.ts";
import { folderProblem } from "./output_dir.ts";

export { checkOutputDir, folderProblem, outputInsideSource } from "./output_dir.ts";

/** What one run leaves in the output directory. */
export interface RunOutputs {
  /** The Markdown report. */
  report: string;
  /** The metrics object (serialised as pretty JSON). */
  metrics: Record<string, unknown>;
  /** The trajectory (analyze only). */
  trajectory?: unknown;
  /** The HTML report, when asked for (`--format html|both`). */
  html?: string;
}

/** Permissions of output files: the user's only (reports may quote the code and its secrets). */
export const FILE_MODE = 0o600;
/** Permissions of folders deeprepo creates. */
export const DIR_MODE = 0o700;

/** The most suffixes tried before giving up (`_2` ... `_999`). */
const MAX_SUFFIX = 999;

/** Where one run's files went. */
export interface WrittenRun {
  paths: OutputPaths;
  /** Every file written, report first. */
  written: string[];
  /** The timestamp with the suffix that made the names free (`20261205_183236_2`). */
  stamp: string;
}

/**
 * Creates `dir` (0700 for each folder made) and checks that it is a real folder, not a link.
 *
 * @throws {Error} When the folder is a symbolic link or cannot be created.
 */
async function prepareDir(dir: string): Promise<void> {
  const before = await Deno.lstat(dir).catch(() => undefined);
  if (before?.isSymlink) throw new Error(`${dir} is a symbolic link; not writing through it`);
  if (!before) await Deno.mkdir(dir, { recursive: true, mode: DIR_MODE });
  const info = await Deno.lstat(dir);
  if (!info.isDirectory) throw new Error(`${dir} is not a folder`);
}

/** Creates `path` empty and exclusively; false when the name is taken (by anything, links too). */
async function reserve(path: string): Promise<boolean> {
  try {
    (await Deno.open(path, { write: true, createNew: true, mode: FILE_MODE })).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
}

/** Reserves every name of the run under the first suffix where all of them are free. */
async function reserveAll(
  names: (suffix: number) => string[],
): Promise<{ paths: string[]; suffix: number }> {
  for (let suffix = 1; suffix <= MAX_SUFFIX; suffix++) {
    const paths = names(suffix);
    const taken: string[] = [];
    try {
      for (const path of paths) {
        if (!await reserve(path)) break;
        taken.push(path);
      }
    } catch (error) {
      for (const path of taken) await Deno.remove(path).catch(() => {});
      throw error;
    }
    if (taken.length === paths.length) return { paths, suffix };
    for (const path of taken) await Deno.remove(path).catch(() => {});
  }
  throw new Error(`every name up to suffix _${MAX_SUFFIX} is taken`);
}

/** Writes `text` to a fresh temporary file beside `path` and renames it over the reservation. */
async function fill(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const tmp = `${path.slice(0, slash)}/.${path.slice(slash + 1)}.tmp-${crypto.randomUUID()}`;
  try {
    await Deno.writeTextFile(tmp, text, { createNew: true, mode: FILE_MODE });
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Writes the report, metrics and (when given) trajectory into `outputDir`, never replacing a
 * file: when a name is taken (another run in the same second), all of the run's names get the
 * next free suffix.
 *
 * @param outputDir Absolute output folder (created 0700 when missing; a link is refused).
 * @param kind `deeprepo` (analyze) or `baseline`.
 * @param repoName Repository name (made safe for a file name).
 * @param ts Timestamp of the names.
 * @param outputs The contents.
 * @returns The paths, every file written and the suffixed timestamp.
 */
export async function writeRunOutputs(
  outputDir: string,
  kind: "deeprepo" | "baseline",
  repoName: string,
  ts: string,
  outputs: RunOutputs,
): Promise<WrittenRun> {
  await prepareDir(outputDir);
  const contents: [keyof OutputPaths, string][] = [
    ["report", outputs.report.endsWith("\n") ? outputs.report : `${outputs.report}\n`],
    ["metrics", `${JSON.stringify(outputs.metrics, null, 2)}\n`],
  ];
  if (outputs.trajectory !== undefined) {
    contents.push(["trajectory", `${JSON.stringify(outputs.trajectory, null, 2)}\n`]);
  }
  if (outputs.html !== undefined) contents.push(["html", outputs.html]);
  const pathsFor = (suffix: number) => outputPaths(outputDir, kind, repoName, ts, suffix);
  const { suffix } = await reserveAll((n) => contents.map(([key]) => pathsFor(n)[key]));
  const paths = pathsFor(suffix);
  const written: string[] = [];
  for (const [key, text] of contents) {
    await fill(paths[key], text);
    written.push(paths[key]);
  }
  return { paths, written, stamp: suffix > 1 ? `${ts}_${suffix}` : ts };
}

/** Where {@linkcode writeRunOutputsSafely} wrote, and why not where asked when it fell back. */
export interface SafeWriteResult extends WrittenRun {
  /** Set when the output folder failed and the files went to a temporary folder instead. */
  fallbackError?: RunError;
}

/**
 * Writes a run's outputs into `outputDir`; when that fails (full disk, a folder that went away
 * or became a link), writes them to a fresh temporary folder instead, because the run is paid
 * for.
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
  try {
    return await writeRunOutputs(outputDir, kind, repoName, ts, outputs);
  } catch (e) {
    const reason = folderProblem(e);
    let fallback: WrittenRun;
    try {
      const tmp = await Deno.makeTempDir({ prefix: "deeprepo_outputs_" }); // 0700
      fallback = await writeRunOutputs(tmp, kind, repoName, ts, outputs);
    } catch {
      throw new RunError(`could not write the results to ${outputDir}: ${reason}`, { cause: e });
    }
    return {
      ...fallback,
      fallbackError: new RunError(
        `could not write to ${outputDir} (${reason}); results saved to ${fallback.paths.report} ` +
          "instead",
        { cause: e },
      ),
    };
  }
}
