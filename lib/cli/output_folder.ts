/**
 * The output folder as commands meet it: checked before any model is called, a note when it
 * lies inside the analysed folder, and the closing list of the files a run wrote.
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import { checkOutputDir, outputInsideSource } from "../report/write.ts";
import { terminalLine } from "./terminal_text.ts";

/**
 * Checks the output folder (see `checkOutputDir`: a file, a symbolic link, an unwritable folder
 * fail with exit 2) and says in one line when it lies inside the analysed folder.
 *
 * @param options The output folder, the source and `-q`.
 * @param ctx Working folder and stderr.
 * @throws {EnvironmentError} When the folder cannot be used.
 */
export async function checkOutputFolder(
  options: { outputDir: string; source: string; quiet: boolean },
  ctx: Pick<CliContext, "cwd" | "stderr">,
): Promise<void> {
  await checkOutputDir(options.outputDir, { cwd: ctx.cwd });
  if (!options.quiet && await outputInsideSource(options.outputDir, options.source)) {
    ctx.stderr(
      `deeprepo: note: the output folder ${terminalLine(options.outputDir)} is inside the ` +
        "analysed folder (its reports will be part of the next analysis; -o chooses another)\n",
    );
  }
}

/**
 * The closing lines naming every file a run wrote, the folder once and then each name.
 *
 * @example
 * ```ts
 * import { writtenLines } from "./output_folder.ts";
 * writtenLines(["/o/a.md", "/o/a_metrics.json"]);
 * // ["wrote to /o:", "  a.md", "  a_metrics.json"]
 * ```
 */
export function writtenLines(paths: string[]): string[] {
  if (paths.length === 0) return [];
  const dir = paths[0].slice(0, paths[0].lastIndexOf("/"));
  const same = paths.every((p) => p.slice(0, p.lastIndexOf("/")) === dir);
  return same
    ? [`wrote to ${dir}:`, ...paths.map((p) => `  ${p.slice(dir.length + 1)}`)]
    : ["wrote:", ...paths.map((p) => `  ${p}`)];
}
