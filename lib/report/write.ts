/**
 * Writes a run's output files. Each file is written whole to a temporary name and renamed, so a
 * crash never leaves a half-written report behind.
 *
 * @module
 */
import type { OutputPaths } from "./naming.ts";

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
