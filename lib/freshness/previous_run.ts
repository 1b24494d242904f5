/**
 * Finds the analysis a later command builds on: the newest analyze run of the same repository
 * in the output folder (`latest`), or the metrics or report file the user names. A run of
 * another repository, or one without file hashes, is refused with the command to run instead.
 *
 * @module
 */
import { EnvironmentError } from "../errors.ts";
import { safeName } from "../report/naming.ts";
import { type Fingerprint, fingerprintOf } from "./fingerprint.ts";
import { verifyRun } from "./run_seal.ts";

/** The report beside a metrics file, when it is a regular file of a sane size. */
async function readReport(path: string): Promise<string | undefined> {
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile || info.size > 64 * 1024 * 1024) return undefined;
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

/** An earlier analyze run. */
export interface PreviousRun {
  metricsPath: string;
  reportPath: string;
  metrics: Record<string, unknown>;
  fingerprint: Fingerprint;
  /** When it ran, from the file name (`YYYYMMDD_HHMMSS`). */
  timestamp: string;
}

/** Where to look and what must match. */
export interface PreviousRunQuery {
  /** `latest`, a `..._metrics.json` path or a report `.md` path. */
  spec: string;
  /** Absolute output folder (for `latest`). */
  outputDir: string;
  /** The repository's name (`metadata.repo_name`). */
  repoName: string;
  /** {@linkcode sourceIdentity} of the current snapshot. */
  source: string;
  /** How to run a first analysis, for the error message (e.g. `deeprepo analyze ./app`). */
  analyzeHint: string;
  /**
   * This user's run key (`run_seal.ts`): only runs sealed with it are accepted. Without one
   * (no home folder), no earlier run can be trusted and none is found.
   */
  key: CryptoKey | undefined;
}

const RUN_FILE = /^deeprepo_(.+)_(\d{8}_\d{6})(?:_(\d+))?_metrics\.json$/;

/**
 * Resolves `query.spec` to an earlier run of the same repository.
 *
 * @throws {EnvironmentError} (exit 2) when there is none, it cannot be read, it is of another
 *   repository, or it has no file hashes.
 */
export async function findPreviousRun(query: PreviousRunQuery): Promise<PreviousRun> {
  if (query.spec === "latest") return await latestRun(query);
  const metricsPath = query.spec.endsWith(".md")
    ? query.spec.replace(/\.md$/, "_metrics.json")
    : query.spec;
  const run = await readRun(metricsPath, query);
  if (!run) {
    throw new EnvironmentError(`${metricsPath} is not the metrics file of a deeprepo analyze run`);
  }
  return run;
}

async function latestRun(query: PreviousRunQuery): Promise<PreviousRun> {
  const prefix = safeName(query.repoName);
  const candidates: { path: string; ts: string; n: number }[] = [];
  try {
    for await (const entry of Deno.readDir(query.outputDir)) {
      const m = RUN_FILE.exec(entry.name);
      if (entry.isFile && m && m[1] === prefix) {
        candidates.push({
          path: `${query.outputDir}/${entry.name}`,
          ts: m[2],
          n: Number(m[3] ?? 1),
        });
      }
    }
  } catch { /* no output folder: nothing found */ }
  candidates.sort((a, b) => b.ts.localeCompare(a.ts) || b.n - a.n);
  for (const c of candidates) {
    const run = await readRun(c.path, query).catch(() => undefined);
    if (run) return run;
  }
  throw new EnvironmentError(
    `no earlier analysis of ${query.repoName} in ${query.outputDir}; run \`${query.analyzeHint}\` first`,
  );
}

async function readRun(path: string, query: PreviousRunQuery): Promise<PreviousRun | undefined> {
  let metrics: Record<string, unknown>;
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile || info.size > 64 * 1024 * 1024) return undefined;
    metrics = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new EnvironmentError(`no such analysis: ${path}`);
    }
    return undefined;
  }
  if (!metrics || typeof metrics !== "object" || metrics.mode !== "rlm") return undefined;
  const fp = fingerprintOf(metrics);
  if (!fp) {
    throw new EnvironmentError(
      `${path} has no file hashes (made by an older deeprepo); run \`${query.analyzeHint}\` again`,
    );
  }
  if (fp.source !== query.source) {
    throw new EnvironmentError(`${path} is an analysis of ${fp.source}, not of ${query.source}`);
  }
  const reportPath = path.replace(/_metrics\.json$/, ".md");
  const report = await readReport(reportPath);
  const seal = (metrics.snapshot as { seal?: unknown }).seal;
  if (report === undefined || !query.key || !await verifyRun(query.key, fp, report, seal)) {
    throw new EnvironmentError(
      `${path} was not written by deeprepo for this user (its seal does not match; a run ` +
        `shipped in the repository, or edited since); run \`${query.analyzeHint}\``,
    );
  }
  const ts = /_(\d{8}_\d{6})(?:_\d+)?_metrics\.json$/.exec(path)?.[1] ?? "";
  return { metricsPath: path, reportPath, metrics, fingerprint: fp, timestamp: ts };
}
