/**
 * The commands that build on the latest analysis in the output folder: `status` and `context`
 * (issue #17), declared with commander like the rest of the program.
 *
 * @module
 */
import { type Command, Option } from "npm:commander@15.1.0";
import type { ContextOptions, StatusOptions } from "./options.ts";
import { collect, integer, nonEmpty, type Raw, resolvePath, resolvePlugin } from "./arg_values.ts";
import { DEFAULTS } from "../defaults.ts";
import { UsageError } from "../errors.ts";
import { redactUrl } from "../redact.ts";

/** What `status` and `context` parse into. */
export type FreshnessInvocation =
  | { command: "status"; options: StatusOptions }
  | { command: "context"; options: ContextOptions };

const CONTEXT_FORMATS = ["agents", "claude", "cursor", "copilot"] as const;

/** `status` and `context`: commands that build on the latest analysis in the output folder. */
export function addFreshnessCommands(
  program: Command,
  cwd: string,
  onInvoke: (invocation: FreshnessInvocation) => void,
): void {
  const where = (source: string | undefined, raw: Raw) => {
    const typed = source ?? ".";
    if (typed.trim() === "") {
      throw new UsageError("the source is empty: give a folder or git URL; use '.' for here");
    }
    return {
      source: resolvePath(cwd, typed),
      // Shown in hints and errors (printed, logged): a git URL's credentials are not repeated.
      sourceAsTyped: redactUrl(typed),
      outputDir: resolvePath(cwd, raw.outputDir as string),
      outputDirAsTyped: raw.outputDir as string,
    };
  };
  program.command("status")
    .description("how stale the latest analysis is (exit 0 fresh, 3 stale)")
    .argument("[source]", "local folder or git URL (default: the current folder)")
    .option("-o, --output-dir <dir>", "where the analyses are", nonEmpty, DEFAULTS.outputDir)
    .option("--json", "print JSON")
    .action((source: string | undefined, raw: Raw) => {
      onInvoke({ command: "status", options: { ...where(source, raw), json: raw.json === true } });
    });
  program.command("context")
    .description("the project-context file coding agents read, from the latest analysis")
    .argument("[source]", "local folder or git URL (default: the current folder)")
    .option("-o, --output-dir <dir>", "where the analyses are", nonEmpty, DEFAULTS.outputDir)
    .addOption(
      new Option("--format <format>", "agents (AGENTS.md), claude, cursor or copilot")
        .choices(CONTEXT_FORMATS).default("agents"),
    )
    .option("--write", "write it into the repository as a managed block instead of printing")
    .option("--from <report>", "an analysis report (.md) or metrics file instead of the latest")
    .option("--max-tokens <n>", "token budget of the whole file", integer(200), 2000)
    .option(
      "--root-model <model>",
      `model that condenses the report (default: "${DEFAULTS.rootModel}")`,
      nonEmpty,
    )
    .option("--no-model", "computed facts only: no model call")
    .option("--plugin <module>", "extra plugin module, path or URL (repeatable)", collect)
    .option("-q, --quiet", "no summary line on stderr")
    .action((source: string | undefined, raw: Raw) => {
      onInvoke({
        command: "context",
        options: {
          ...where(source, raw),
          format: raw.format as ContextOptions["format"],
          write: raw.write === true,
          from: raw.from === undefined ? undefined : resolvePath(cwd, raw.from as string),
          maxTokens: raw.maxTokens as number,
          rootModel: (raw.rootModel as string | undefined) ?? DEFAULTS.rootModel,
          plugins: ((raw.plugin as string[] | undefined) ?? []).map((p) => resolvePlugin(cwd, p)),
          model: raw.model !== false,
          quiet: raw.quiet === true,
        },
      });
    });
}
