/**
 * Defaults shared by the CLI (flag defaults, help text) and the layers below it (the engine, the
 * sandbox, the baseline), so one number is written once.
 *
 * @module
 */

/** Defaults of the commands' options, read by the CLI and by the engine, sandbox and baseline. */
export const DEFAULTS = {
  /** `-o, --output-dir`. */
  outputDir: "outputs",
  /** `--root-model`: the model that writes REPL code (and baseline's model). */
  rootModel: "sonnet",
  /** `--sub-model`: the cheap model the REPL's `llm_query`/`llm_batch` call. */
  subModel: "minimax/minimax-m2.5",
  /** compare's `--baseline-model`. */
  baselineModel: "opus",
  /** `--max-turns`: root turns before the report is salvaged. */
  maxTurns: 20,
  /** `--concurrency`: sub-model calls in flight. */
  concurrency: 5,
  /** `--exec-timeout`: seconds of computing one REPL execution may take. */
  execTimeoutSeconds: 300,
  /** `--max-chars`: the baseline prompt's character budget (about 45k tokens of code). */
  maxChars: 180_000,
} as const;
