/**
 * The REPL port the engine uses. The implementation runs code in an isolated process with no
 * permissions; the engine only sees these shapes.
 *
 * @module
 */

/** Host side of `llm_query` / `llm_batch`: answers prompts in order, never throws per item. */
export type SubQueryHandler = (prompts: string[], signal: AbortSignal) => Promise<string[]>;

/** An error raised by user code, returned as data. */
export interface ExecError {
  name: string;
  message: string;
  /** 1-based line in the user's code, when known. */
  line?: number;
}

/** The outcome of one execution. */
export interface ExecResult {
  /** Captured `print`/`console.*` output (bounded; the true length is `outputChars`). */
  output: string;
  outputChars: number;
  error?: ExecError;
  /**
   * The REPL's `answer` after the execution. `truncatedChars`: characters cut from the end of
   * `content` because it was longer than the REPL returns (8,000,000 characters).
   */
  answer: { content: string; ready: boolean; truncatedChars?: number };
  /**
   * Set when the REPL process ended (timeout, out of memory, crash, self-kill). Variables are
   * gone; the next `execute` runs in a fresh REPL.
   */
  fatal?: { kind: "timeout" | "crash"; message: string };
  /** Wall time of the execution, and how much of it was spent waiting on sub-model calls. */
  elapsedMs: number;
  subQueryMs: number;
  /**
   * Extension: when the code's last statement is an expression whose value is not `undefined`,
   * that value as text (strings as they are, other values inspected; at most 10,000 chars). The
   * engine may ignore it; `deeprepo repl` prints it like a console does.
   */
  value?: string;
}

/** A running REPL. */
export interface Repl {
  /** Runs JavaScript or TypeScript code; resolves with output, error or fatal outcome. */
  execute(code: string): Promise<ExecResult>;
  /** Ends the REPL process; safe to call twice. */
  close(): Promise<void>;
}

/** What a REPL is created with. */
export interface ReplOptions {
  codebase: Record<string, string>;
  fileTree: string;
  metadata: unknown;
  onSubQuery: SubQueryHandler;
  /** One execution's limit, excluding time spent waiting on sub-model calls. @default 300 */
  execTimeoutSeconds?: number;
  /**
   * Extension: V8 heap limit of each isolate of the REPL process in MB.
   * @default 1024, or 4 × the codebase's size in MB + 512 when that is larger
   */
  memoryLimitMb?: number;
}
