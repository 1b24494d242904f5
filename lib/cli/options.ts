/**
 * Parsed, validated options of each command, as the command implementations receive them.
 *
 * @module
 */
import type { Effort } from "../providers/mod.ts";

/** Options shared by analyze, baseline, compare and repl. */
export interface CommonOptions {
  /** Local path (absolute, resolved against the user's cwd) or git URL. */
  source: string;
  /** Absolute output directory. */
  outputDir: string;
  quiet: boolean;
  rootModel: string;
  subModel: string;
  /** False with `--no-cache`. */
  cache: boolean;
  /** Extra plugin specifiers from `--plugin` (paths already absolute). */
  plugins: string[];
  /** `--reload-plugins`: fetch URL plugins again instead of using their stored copies. */
  reloadPlugins?: boolean;
  /** `--include` globs (repeatable): only matching files are loaded. */
  include?: string[];
  /** `--exclude` globs (repeatable): matching files and folders are left out. */
  exclude?: string[];
  /** False with `--no-redact`: secrets in the code are not masked. @default {true} */
  redact?: boolean;
  /** `--effort`: sent to the root model where its rules list the level. */
  effort?: Effort;
  /** `--sub-effort`: sent to the sub-model where its rules list the level. */
  subEffort?: Effort;
}

/** `--format`: which report files to write besides metrics (the `.md` is always written). */
export type ReportFormat = "md" | "html" | "both";

/** `deeprepo analyze`. */
export interface AnalyzeOptions extends CommonOptions {
  maxTurns: number;
  concurrency: number;
  maxCost?: number;
  execTimeoutSeconds: number;
  /** False with `--no-prompt-cache`. */
  promptCache: boolean;
  /** `--format`. @default "both" */
  format?: ReportFormat;
  /** `--since <metrics.json|report.md|latest>`: update an earlier analysis. */
  since?: string;
  dryRun: boolean;
  json: boolean;
}

/** `deeprepo baseline`. */
export interface BaselineOptions extends CommonOptions {
  maxChars: number;
  /** `--format`. @default "both" */
  format?: ReportFormat;
  dryRun: boolean;
  json: boolean;
}

/** `deeprepo compare`. */
export interface CompareOptions extends CommonOptions {
  maxTurns: number;
  concurrency: number;
  maxCost?: number;
  execTimeoutSeconds: number;
  promptCache: boolean;
  baselineModel: string;
  maxChars: number;
  /** `--format`. @default "both" */
  format?: ReportFormat;
  json: boolean;
}

/** `deeprepo repl`. */
export interface ReplCommandOptions extends CommonOptions {
  /** Code snippets from `--eval`, run in order; empty means interactive. */
  evals: string[];
  execTimeoutSeconds: number;
}

/** `deeprepo list-models`. */
export interface ListModelsOptions {
  json: boolean;
  plugins: string[];
  /** `--reload-plugins`: fetch URL plugins again instead of using their stored copies. */
  reloadPlugins?: boolean;
}

/** `deeprepo cache stats|clear`. */
export interface CacheOptions {
  json: boolean;
  /** `cache clear --older-than DAYS`. */
  olderThanDays?: number;
}

/** `deeprepo plugins check <path>`. */
export interface PluginsCheckOptions {
  specifier: string;
}

/** `deeprepo status`. */
export interface StatusOptions {
  /** Absolute path or git URL. */
  source: string;
  /** The source as the user typed it (for the commands suggested in messages). */
  sourceAsTyped: string;
  outputDir: string;
  outputDirAsTyped: string;
  json: boolean;
}

/** `deeprepo context`. */
export interface ContextOptions {
  source: string;
  sourceAsTyped: string;
  outputDir: string;
  outputDirAsTyped: string;
  format: "agents" | "claude" | "cursor" | "copilot";
  /** Write into the repository's file (managed block) instead of printing. */
  write: boolean;
  /** `--from <report.md|metrics.json>`; the latest analysis when absent. */
  from?: string;
  maxTokens: number;
  /** Model that condenses the report. */
  rootModel: string;
  plugins: string[];
  /** False with `--no-model`: computed facts only, no model call. */
  model: boolean;
  quiet: boolean;
}

/** `deeprepo trust [FILE...] [--list | --revoke]`. */
export interface TrustOptions {
  /** Absolute paths of `.env` / `deeprepo.json` files; empty means those of the working folder. */
  files: string[];
  list: boolean;
  revoke: boolean;
}
