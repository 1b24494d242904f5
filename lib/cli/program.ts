/**
 * The command-line surface: every command and option of CONTRACT.md, declared with commander,
 * validated, then dispatched to a lazily imported command module. Only this file (with
 * `freshness_commands.ts` for `status` and `context`) knows the flag
 * names; command modules receive typed option objects.
 *
 * @module
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "npm:commander@15.1.0";
import type { CliContext } from "./context.ts";
import {
  collect,
  integer,
  nonEmpty,
  positiveNumber,
  type Raw,
  resolvePath,
  resolvePlugin,
} from "./arg_values.ts";
import { addFreshnessCommands, type FreshnessInvocation } from "./freshness_commands.ts";
import type {
  AnalyzeOptions,
  BaselineOptions,
  CacheOptions,
  CommonOptions,
  CompareOptions,
  ListModelsOptions,
  PluginsCheckOptions,
  ReplCommandOptions,
  ReportFormat,
  TrustOptions,
} from "./options.ts";
import { DEFAULTS } from "../defaults.ts";
import { UsageError } from "../errors.ts";
import type { Effort } from "../providers/mod.ts";
import { VERSION } from "../version.ts";

/**
 * Upper bound of `--exec-timeout`: one day. Timers cannot go past 2^31 - 1 ms (24.8 days); a
 * larger value would fire at once and time out every execution.
 */
export const MAX_EXEC_TIMEOUT_SECONDS = 86_400;

/** Columns help text is wrapped at: fixed, so `--help` reads the same in every terminal. */
export const HELP_WIDTH = 80;

/** A parsed invocation: which command runs with which options. */
export type Invocation =
  | { command: "analyze"; options: AnalyzeOptions }
  | { command: "baseline"; options: BaselineOptions }
  | { command: "compare"; options: CompareOptions }
  | { command: "repl"; options: ReplCommandOptions }
  | { command: "list-models"; options: ListModelsOptions }
  | { command: "cache-stats"; options: CacheOptions }
  | { command: "cache-clear"; options: CacheOptions }
  | { command: "plugins-check"; options: PluginsCheckOptions }
  | FreshnessInvocation
  | { command: "trust"; options: TrustOptions }
  /** `--help` or `--version` was printed; nothing else to do. */
  | { command: "printed" };

/**
 * The options analyze, baseline, compare and repl share. The REPL has no root model and writes
 * no files, so `forRepl` leaves out `-o`, `--root-model` and `--effort`.
 */
function addCommonOptions(cmd: Command, forRepl = false): Command {
  if (!forRepl) {
    cmd.option("-o, --output-dir <dir>", "where reports are written", nonEmpty, DEFAULTS.outputDir);
  }
  cmd.option("-q, --quiet", "no progress and no streaming; errors still go to stderr");
  if (!forRepl) {
    cmd.option(
      "--root-model <model>",
      `root model: alias, id, or provider:model (default: "${DEFAULTS.rootModel}")`,
      nonEmpty,
    );
  }
  cmd
    .option(
      "--sub-model <model>",
      `sub-model: alias, id, or provider:model (default: "${DEFAULTS.subModel}")`,
      nonEmpty,
    )
    .option("--no-cache", "bypass the sub-model cache (neither read nor written)")
    .option("--plugin <module>", "extra plugin module, path or URL (repeatable)", collect)
    .option("--reload-plugins", "fetch URL plugins again instead of using their stored copies")
    .option("--include <glob>", "load only files matching this glob (repeatable)", collect)
    .option(
      "--exclude <glob>",
      "leave out files and folders matching this glob (repeatable)",
      collect,
    )
    .option("--no-redact", "do not mask secrets found in the code (they reach the models)");
  if (!forRepl) {
    cmd.option("--effort <level>", "root-model effort: low, medium, high or max", effortLevel);
  }
  return cmd.option(
    "--sub-effort <level>",
    "sub-model effort: low, medium, high or max",
    effortLevel,
  );
}

/** Effort levels of `--effort` / `--sub-effort` (the Plugin API's `Effort`). */
const EFFORTS: readonly Effort[] = ["low", "medium", "high", "max"];

function effortLevel(value: string): Effort {
  const level = EFFORTS.find((e) => e === value);
  if (!level) throw new InvalidArgumentError("must be low, medium, high or max");
  return level;
}

function addRunOptions(cmd: Command): Command {
  return cmd
    .option(
      "--max-turns <n>",
      "root-model turn limit",
      integer(1),
      DEFAULTS.maxTurns,
    )
    .option(
      "--concurrency <n>",
      "sub-model calls in flight at once",
      integer(1),
      DEFAULTS.concurrency,
    )
    .option("--max-cost <usd>", "stop spending at this many US dollars", positiveNumber)
    .option(
      "--exec-timeout <seconds>",
      "one REPL execution's time limit, at most 86400 (a day)",
      integer(1, MAX_EXEC_TIMEOUT_SECONDS),
      DEFAULTS.execTimeoutSeconds,
    )
    .option("--no-prompt-cache", "send the root conversation without prompt-cache breakpoints");
}

const REPORT_FORMATS = ["md", "html", "both"] as const;

/** `--format md|html|both`: the HTML report beside the Markdown one (always written). */
function formatOption(cmd: Command): Command {
  return cmd.addOption(
    new Option("--format <format>", "md, or also a self-contained HTML report (html, both)")
      .choices(REPORT_FORMATS).default("both"),
  );
}

function maxCharsOption(cmd: Command): Command {
  return cmd.option(
    "--max-chars <n>",
    "character budget for the baseline prompt",
    integer(1000),
    DEFAULTS.maxChars,
  );
}

function common(source: string, raw: Raw, cwd: string, rootDefault: string): CommonOptions {
  // `deeprepo analyze "$REPO"` with REPO unset must not analyze (and pay for) the current folder.
  if (source.trim() === "") {
    throw new UsageError(
      "the source is empty: give a folder or git URL (an unset variable?); " +
        "use '.' for the current folder",
    );
  }
  return {
    source: resolvePath(cwd, source),
    outputDir: resolvePath(cwd, (raw.outputDir as string | undefined) ?? DEFAULTS.outputDir),
    quiet: raw.quiet === true,
    rootModel: (raw.rootModel as string | undefined) ?? rootDefault,
    subModel: (raw.subModel as string | undefined) ?? DEFAULTS.subModel,
    cache: raw.cache !== false,
    plugins: ((raw.plugin as string[] | undefined) ?? []).map((p) => resolvePlugin(cwd, p)),
    reloadPlugins: raw.reloadPlugins === true,
    include: (raw.include as string[] | undefined) ?? [],
    exclude: (raw.exclude as string[] | undefined) ?? [],
    redact: raw.redact !== false,
    ...(raw.effort ? { effort: raw.effort as Effort } : {}),
    ...(raw.subEffort ? { subEffort: raw.subEffort as Effort } : {}),
  };
}

function runOptions(raw: Raw) {
  return {
    maxTurns: raw.maxTurns as number,
    concurrency: raw.concurrency as number,
    maxCost: raw.maxCost as number | undefined,
    execTimeoutSeconds: raw.execTimeout as number,
    promptCache: raw.promptCache !== false,
  };
}

function requireDryRunForJson(raw: Raw, command: string): void {
  if (raw.json && !raw.dryRun) {
    throw new UsageError(`${command}: --json needs --dry-run`);
  }
}

/** What `deeprepo --help` shows after the commands: examples, environment, exit status. */
const PROGRAM_HELP_FOOTER = `
Examples:
  deeprepo analyze ./my-repo             report in outputs/deeprepo_my-repo_*.md
  deeprepo analyze ./my-repo --dry-run   files and estimated cost; no key needed
  deeprepo analyze https://github.com/o/r --max-cost 0.50
  deeprepo baseline ./my-repo            one call to one model, for comparison
  deeprepo compare ./my-repo             both, and a side-by-side table
  deeprepo repl ./my-repo --eval 'print(Object.keys(codebase).length)'
  deeprepo list-models                   models, prices, which keys are set
  deeprepo trust .env                    use this folder's .env until it changes
  deeprepo analyze --help                every option of a command

Environment (also from ./.env once you trust it with \`deeprepo trust\`; the real
environment wins; HOME and XDG_* never come from a .env):
  ANTHROPIC_API_KEY, OPENROUTER_API_KEY, OPENAI_API_KEY
                       keys; only the providers you use need one
  ANTHROPIC_BASE_URL, OPENROUTER_BASE_URL, OPENAI_BASE_URL, OLLAMA_HOST
                       endpoints (default: the public APIs; Ollama on 127.0.0.1)
  DEEPREPO_CACHE_DIR   sub-model cache folder (default: ~/.cache/deeprepo)
  DEEPREPO_PLUGINS     extra plugin modules, comma-separated
  DEEPREPO_DEBUG=1     stack traces on errors
  NO_COLOR             no colours

Exit status: 0 done, 1 the run failed, 2 fix the invocation or environment,
130 interrupted.`;

/** Where commander writes help and the version. */
export interface ProgramIO {
  out(text: string): void;
}

/**
 * Builds the commander program. `onInvoke` receives the parsed invocation of the command that
 * ran; commander never exits the process (errors are thrown as {@linkcode CommanderError}).
 */
export function buildProgram(
  cwd: string,
  io: ProgramIO,
  onInvoke: (invocation: Invocation) => void,
): Command {
  const program = new Command("deeprepo")
    .description(
      "Analyze whole codebases with a root model that writes code and cheap sub-models that read files.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureHelp({ helpWidth: HELP_WIDTH })
    .addHelpText("after", PROGRAM_HELP_FOOTER)
    .configureOutput({
      writeOut: io.out,
      // Usage errors are reported as one line by the CLI edge, without the help commander would
      // print on stderr; help asked for with --help goes to stdout.
      writeErr: () => {},
      outputError: () => {},
    });

  formatOption(addRunOptions(addCommonOptions(
    program.command("analyze")
      .description("RLM analysis: root model + sandboxed REPL + sub-models")
      .argument("<source>", "local folder or git URL"),
  )))
    .option(
      "--since <run>",
      "update an earlier analysis (latest, or its report .md or metrics .json)",
      nonEmpty,
    )
    .option("--dry-run", "load the codebase and print what would be sent and its estimated cost")
    .option("--json", "with --dry-run: print one JSON object")
    .action((source: string, raw: Raw) => {
      requireDryRunForJson(raw, "analyze");
      onInvoke({
        command: "analyze",
        options: {
          ...common(source, raw, cwd, DEFAULTS.rootModel),
          ...runOptions(raw),
          format: raw.format as ReportFormat,
          ...(raw.since === undefined ? {} : {
            since: raw.since === "latest" ? "latest" : resolvePath(cwd, raw.since as string),
          }),
          dryRun: raw.dryRun === true,
          json: raw.json === true,
        },
      });
    });

  formatOption(maxCharsOption(addCommonOptions(
    program.command("baseline")
      .description("one call to one model with as much code as fits (the yardstick)")
      .argument("<source>", "local folder or git URL"),
  )))
    .option("--dry-run", "load the codebase and print what would be sent and its estimated cost")
    .option("--json", "with --dry-run: print one JSON object")
    .action((source: string, raw: Raw) => {
      requireDryRunForJson(raw, "baseline");
      onInvoke({
        command: "baseline",
        options: {
          ...common(source, raw, cwd, DEFAULTS.rootModel),
          maxChars: raw.maxChars as number,
          format: raw.format as ReportFormat,
          dryRun: raw.dryRun === true,
          json: raw.json === true,
        },
      });
    });

  formatOption(maxCharsOption(addRunOptions(addCommonOptions(
    program.command("compare")
      .description("analyze and baseline on one checkout, with a side-by-side table")
      .argument("<source>", "local folder or git URL"),
  ))))
    .option(
      "--baseline-model <model>",
      `model for the baseline side (default: "${DEFAULTS.baselineModel}")`,
      nonEmpty,
    )
    .option("--json", "print the comparison table as JSON")
    .action((source: string, raw: Raw) => {
      onInvoke({
        command: "compare",
        options: {
          ...common(source, raw, cwd, DEFAULTS.rootModel),
          ...runOptions(raw),
          baselineModel: (raw.baselineModel as string | undefined) ?? DEFAULTS.baselineModel,
          maxChars: raw.maxChars as number,
          format: raw.format as ReportFormat,
          json: raw.json === true,
        },
      });
    });

  addCommonOptions(
    program.command("repl")
      .description("the root model's REPL, driven by a person (llm_query uses --sub-model)")
      .argument("<source>", "local folder or git URL"),
    true,
  )
    .option(
      "--eval <code>",
      "run this code (repeatable, in order); without it: interactive",
      collect,
    )
    .option(
      "--exec-timeout <seconds>",
      "one execution's time limit, at most 86400 (a day)",
      integer(1, MAX_EXEC_TIMEOUT_SECONDS),
      DEFAULTS.execTimeoutSeconds,
    )
    .action((source: string, raw: Raw) => {
      onInvoke({
        command: "repl",
        options: {
          ...common(source, raw, cwd, DEFAULTS.rootModel),
          evals: (raw.eval as string[] | undefined) ?? [],
          execTimeoutSeconds: raw.execTimeout as number,
        },
      });
    });

  program.command("list-models")
    .description("list providers, models, aliases, prices and which keys are set")
    .option("--json", "print JSON")
    .option("--plugin <module>", "extra plugin module, path or URL (repeatable)", collect)
    .option("--reload-plugins", "fetch URL plugins again instead of using their stored copies")
    .action((raw: Raw) => {
      onInvoke({
        command: "list-models",
        options: {
          json: raw.json === true,
          reloadPlugins: raw.reloadPlugins === true,
          plugins: ((raw.plugin as string[] | undefined) ?? []).map((p) => resolvePlugin(cwd, p)),
        },
      });
    });

  const cache = program.command("cache").description("inspect or clear the sub-model cache");
  cache.command("stats")
    .description("path, entries, size, age and entries per model")
    .option("--json", "print JSON")
    .action((raw: Raw) => {
      onInvoke({ command: "cache-stats", options: { json: raw.json === true } });
    });
  cache.command("clear")
    .description("remove cached entries and print how many")
    .option("--json", "print JSON")
    .addOption(
      new Option("--older-than <days>", "only entries older than this many days").argParser(
        positiveNumber,
      ),
    )
    .action((raw: Raw) => {
      onInvoke({
        command: "cache-clear",
        options: { json: raw.json === true, olderThanDays: raw.olderThan as number | undefined },
      });
    });

  const plugins = program.command("plugins").description("work with provider plugins");
  plugins.command("check")
    .description("load a plugin module and report every problem with its shape")
    .argument("<module>", "plugin path or URL")
    .action((specifier: string) => {
      onInvoke({
        command: "plugins-check",
        options: { specifier: resolvePath(cwd, specifier) },
      });
    });

  program.command("trust")
    .description(
      "use this folder's .env / deeprepo.json: records their exact content as trusted " +
        "(until it changes)",
    )
    .argument("[files...]", ".env or deeprepo.json (default: those in the current folder)")
    .option("--list", "list trusted files and whether they changed since")
    .option("--revoke", "stop trusting the files")
    .action((files: string[], raw: Raw) => {
      if (raw.list && raw.revoke) {
        throw new UsageError("trust: --list and --revoke exclude each other");
      }
      onInvoke({
        command: "trust",
        options: {
          files: files.map((f) => resolvePath(cwd, f)),
          list: raw.list === true,
          revoke: raw.revoke === true,
        },
      });
    });

  addFreshnessCommands(program, cwd, onInvoke);
  return program;
}

/** Commands and command groups, for pointing a usage error at the right `--help`. */
const COMMANDS = [
  "analyze",
  "baseline",
  "compare",
  "repl",
  "list-models",
  "cache",
  "plugins",
  "status",
  "context",
  "trust",
];
const SUBCOMMANDS: Record<string, string[]> = { cache: ["stats", "clear"], plugins: ["check"] };

/** `-o, --output-dir <dir>` → `--output-dir`. */
function flagName(flags: string): string {
  return flags.match(/--[\w-]+/)?.[0] ?? flags.split(/[ ,]/)[0];
}

/**
 * Turns a commander error into one line for stderr: what is wrong, commander's "did you mean"
 * suggestion when it has one, and the `--help` to read.
 *
 * @example
 * ```ts ignore
 * // option '--max-turns <n>' argument '0' is invalid. must be an integer ≥ 1
 * // becomes: --max-turns must be an integer ≥ 1 (got '0') (see 'deeprepo analyze --help')
 * ```
 */
function usageLine(error: CommanderError, argv: string[]): string {
  const lines = error.message.replace(/^error:\s*/, "").split("\n").map((l) => l.trim());
  let message = lines[0].replace(/\.$/, "");
  const invalid = message.match(/^option '([^']+)' argument '(.*)' is invalid\. (.*)$/s);
  const missing = message.match(/^option '([^']+)' argument missing$/);
  if (invalid) message = `${flagName(invalid[1])} ${invalid[3]} (got '${invalid[2]}')`;
  else if (missing) message = `${flagName(missing[1])} needs a value`;
  const suggestion = lines.find((l) => /^\(Did you mean .*\?\)$/.test(l));
  if (suggestion) message += `; ${suggestion.slice(1, -1).replace(/^Did/, "did")}`;

  const words = argv.filter((a) => !a.startsWith("-"));
  let help = "deeprepo --help";
  if (COMMANDS.includes(words[0])) {
    help = SUBCOMMANDS[words[0]]?.includes(words[1])
      ? `deeprepo ${words[0]} ${words[1]} --help`
      : `deeprepo ${words[0]} --help`;
  }
  return `${message} (see '${help}')`;
}

/**
 * Parses an argument vector into an {@linkcode Invocation}.
 *
 * @throws {UsageError} For unknown commands or flags, missing arguments and invalid values.
 */
export async function parseArgs(
  argv: string[],
  cwd: string,
  io: ProgramIO,
): Promise<Invocation> {
  let invocation: Invocation | undefined;
  const program = buildProgram(cwd, io, (inv) => invocation = inv);
  if (argv.length === 0) {
    program.outputHelp();
    throw new UsageError("no command given (see 'deeprepo --help')");
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { command: "printed" };
      if (error.code === "commander.help") {
        // A command group (`cache`, `plugins`) without its subcommand.
        throw new UsageError(`missing subcommand (see 'deeprepo ${argv[0]} --help')`);
      }
      throw new UsageError(usageLine(error, argv));
    }
    throw error;
  }
  if (!invocation) throw new UsageError(`nothing to run (see 'deeprepo --help')`);
  return invocation;
}

/** Runs a parsed invocation by importing only the command module it needs. */
export async function dispatch(invocation: Invocation, ctx: CliContext): Promise<number> {
  switch (invocation.command) {
    case "printed":
      return 0;
    // A dry run needs neither the sandbox nor the SDKs: import only its own module.
    case "analyze":
      return invocation.options.dryRun
        ? (await import("./commands/dry_run.ts")).runAnalyzeDryRun(invocation.options, ctx)
        : (await import("./commands/analyze.ts")).run(invocation.options, ctx);
    case "baseline":
      return invocation.options.dryRun
        ? (await import("./commands/dry_run.ts")).runBaselineDryRun(invocation.options, ctx)
        : (await import("./commands/baseline.ts")).run(invocation.options, ctx);
    case "compare":
      return (await import("./commands/compare.ts")).run(invocation.options, ctx);
    case "repl":
      return (await import("./commands/repl.ts")).run(invocation.options, ctx);
    case "list-models":
      return (await import("./commands/list_models.ts")).run(invocation.options, ctx);
    case "cache-stats":
      return (await import("./commands/cache.ts")).runStats(invocation.options, ctx);
    case "cache-clear":
      return (await import("./commands/cache.ts")).runClear(invocation.options, ctx);
    case "plugins-check":
      return (await import("./commands/plugins_check.ts")).run(invocation.options, ctx);
    case "status":
      return (await import("./commands/status.ts")).run(invocation.options, ctx);
    case "context":
      return (await import("./commands/context.ts")).run(invocation.options, ctx);
    case "trust":
      return (await import("./commands/trust.ts")).run(invocation.options, ctx);
  }
}
