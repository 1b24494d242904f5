/**
 * Output file names: `<prefix>_<name>_<ts>` inside the output directory, where `<name>` can
 * never escape that directory.
 *
 * @module
 */

/**
 * Makes a repository name safe for a file name: only letters, digits, `.`, `-`, `_`; no leading
 * dots; never empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(safeName("../../etc/passwd"), "etc_passwd");
 * ```
 */
export function safeName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/\.{2,}/g, ".")
    .replace(/^[._-]+|[._-]+$/g, "")
    .slice(0, 80);
  return cleaned || "repo";
}

/** Local time as `YYYYMMDD_HHMMSS`. */
export function timestamp(date: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}_` +
    `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/** Paths of one run's output files. */
export interface OutputPaths {
  report: string;
  metrics: string;
  /** Only analyze writes a trajectory. */
  trajectory: string;
  /** The self-contained HTML report (not with `--format md`). */
  html: string;
}

/**
 * The output paths for a run.
 *
 * @param outputDir Absolute output directory.
 * @param kind `deeprepo` for analyze, `baseline` for baseline.
 * @param repoName The repository name (made safe here).
 * @param ts A {@linkcode timestamp}, shared by both halves of a compare.
 * @param suffix Added as `_<suffix>` after the timestamp when above 1, to keep a run's files
 *   from replacing another run's of the same second. @default 1
 *
 * @example
 * ```ts
 * outputPaths("/o", "deeprepo", "api", "20261205_183236", 2).report;
 * // "/o/deeprepo_api_20261205_183236_2.md"
 * ```
 */
export function outputPaths(
  outputDir: string,
  kind: "deeprepo" | "baseline",
  repoName: string,
  ts: string,
  suffix = 1,
): OutputPaths {
  const stamp = suffix > 1 ? `${ts}_${suffix}` : ts;
  const base = `${outputDir.replace(/\/+$/, "")}/${kind}_${safeName(repoName)}_${stamp}`;
  return {
    report: `${base}.md`,
    metrics: `${base}_metrics.json`,
    trajectory: `${base}_trajectory.json`,
    html: `${base}.html`,
  };
}
