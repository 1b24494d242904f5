/**
 * `deeprepo repl <path|git-url> [--eval CODE]...`: the root model's sandboxed REPL, driven by a
 * person. Each `--eval` runs in order in one REPL; without `--eval` it reads code interactively
 * on a terminal (or the whole of stdin as one execution when stdin is not a terminal).
 *
 * Output of the code goes to stdout; errors, timeouts and notices go to stderr. `llm_query` /
 * `llm_batch` use `--sub-model` (its key is needed only when they are called).
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import { loadCommandRegistry } from "../registry.ts";
import { announceEndpoints } from "../endpoints.ts";
import { endpointOf } from "../../config/settings.ts";
import { redactUrl } from "../../redact.ts";
import { terminalLine } from "../terminal_text.ts";
import type { ReplCommandOptions } from "../options.ts";
import { createProgress, retryLine } from "../progress.ts";
import { batchStatusLine, RateMeter } from "../engine_status.ts";
import { DEFAULT_COLUMNS } from "../screen.ts";
import { loadCodebase } from "../../loader/mod.ts";
import { loadOptions } from "../load_options.ts";
import type { CodebaseSnapshot } from "../../loader/mod.ts";
import { costOf } from "../../providers/mod.ts";
import type { ModelClient } from "../../providers/mod.ts";
import { type Cache, openKvCache, resolveCacheDir } from "../../cache/mod.ts";
import {
  createSubDispatcher,
  subCallBatcher,
  type SubDispatcher,
} from "../../engine/sub_queries.ts";
import { SpendLedger } from "../../engine/spend.ts";
import { effortWarning } from "../../engine/model_rules.ts";
import { subRequestSettings } from "../../engine/sub_call.ts";
import { CoverageLedger } from "../../engine/coverage.ts";
import { createRepl, needsMoreInput } from "../../sandbox/mod.ts";
import { createLineEditor, type PromptInput } from "../repl/line_editor.ts";
import { DOT_COMMANDS } from "../repl/completion.ts";
import { historyPath } from "../repl/history.ts";
import type { ExecResult, Repl, ReplOptions, SubQueryHandler } from "../../sandbox/mod.ts";
import { InterruptedError } from "../../errors.ts";
import { formatUsd } from "../../format.ts";

/**
 * What {@linkcode runRepl} reads input from (injected in tests). On a terminal it is a line
 * editor (`createLineEditor`) that shows the prompts itself.
 */
export interface ReplInput extends PromptInput {
  /** Everything on stdin (non-terminal, no `--eval`). */
  readAll(): Promise<string>;
  isTerminal: boolean;
}

/** What `.help` prints. */
const HELP = [
  ".help     this help",
  ".exit     end the session (also Ctrl-D)",
  ".clear    restart the REPL: variables are gone, codebase is loaded again",
  ".break    drop a multi-line input under way (also Ctrl-C while typing)",
  "Globals: codebase (path → text), file_tree, metadata, llm_query(prompt), llm_batch(prompts),",
  'set_answer(text), answer, print(...). Tab completes globals and codebase["<path>.',
  "Keys: Up/Down history, Ctrl-L clear screen, Ctrl-C stop running code (at an empty prompt:",
  "end the session).",
];

/** Dependencies of {@linkcode runRepl}, overridable in tests. */
export interface ReplDeps {
  input: ReplInput;
  createRepl(options: ReplOptions): Promise<Repl>;
  /** Builds the sub-query handler; the default uses the registry, the cache and the engine's dispatcher. */
  subQueries?(
    snapshot: CodebaseSnapshot,
    options: ReplCommandOptions,
    ctx: CliContext,
  ): Promise<SubQueries>;
}

const stdinInput: ReplInput = {
  async *lines() {
    let pending = "";
    const stream = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
    for await (const chunk of stream) {
      pending += chunk;
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        yield pending.slice(0, newline).replace(/\r$/, "");
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    }
    if (pending) yield pending;
  },
  readAll: () => new Response(Deno.stdin.readable).text(),
  get isTerminal() {
    return Deno.stdin.isTerminal();
  },
};

/**
 * Runs `deeprepo repl`.
 *
 * @param options Parsed options.
 * @param ctx Process context.
 * @returns 0 when every execution completed without an error, 1 otherwise.
 */
export function run(options: ReplCommandOptions, ctx: CliContext): Promise<number> {
  const interactive = options.evals.length === 0 && Deno.stdin.isTerminal();
  const input: ReplInput = interactive
    ? { ...stdinInput, isTerminal: true, ...lazyLineEditor(ctx) }
    : stdinInput;
  return runRepl(options, ctx, { input, createRepl });
}

/** The line editor, made once the codebase's paths are known (on the first `lines()`). */
function lazyLineEditor(ctx: CliContext): PromptInput {
  let editor: PromptInput | undefined;
  let paths: readonly string[] = [];
  return {
    usePaths: (given) => paths = given,
    lines() {
      editor = createLineEditor({ paths, historyPath: historyPath(ctx.env) });
      return editor.lines();
    },
    prompt: (text) => editor?.prompt?.(text),
    pause: () => editor?.pause?.(),
    resume: () => editor?.resume?.(),
  };
}

/** {@linkcode run} with its dependencies injected. */
export async function runRepl(
  options: ReplCommandOptions,
  ctx: CliContext,
  deps: ReplDeps,
): Promise<number> {
  const note = (text: string) => {
    if (!options.quiet) ctx.stderr(`${terminalLine(text)}\n`);
  };
  note(`Loading ${redactUrl(options.source)}...`);
  const loaded = await loadCodebase(options.source, {
    cwd: ctx.cwd,
    signal: ctx.signal,
    ...loadOptions(options, ctx),
  });
  try {
    const snapshot = loaded.snapshot;
    const sub = await (deps.subQueries ?? defaultSubQueries)(snapshot, options, ctx);
    const start = () =>
      deps.createRepl({
        codebase: snapshot.codebase,
        fileTree: snapshot.fileTree,
        metadata: snapshot.metadata,
        onSubQuery: sub.handle,
        execTimeoutSeconds: options.execTimeoutSeconds,
      });
    let session: Session | undefined;
    try {
      session = new Session(await start(), ctx, note, start, sub);
      let status: number;
      if (options.evals.length > 0) {
        for (const code of options.evals) await session.run(code);
        status = session.failures > 0 ? 1 : 0;
      } else if (deps.input.isTerminal) {
        note(
          `deeprepo REPL: ${snapshot.metadata.repo_name}, ${snapshot.metadata.total_files} files. ` +
            "Globals: codebase, file_tree, metadata, llm_query, llm_batch, set_answer, answer, " +
            "print. .help for help; end with .exit or Ctrl-D.",
        );
        deps.input.usePaths?.(Object.keys(snapshot.codebase));
        await session.interactive(deps.input);
        // The session ended as asked (.exit or Ctrl-D): what earlier inputs did is not a failure.
        status = 0;
      } else {
        await session.run(await deps.input.readAll());
        status = session.failures > 0 ? 1 : 0;
      }
      const summary = sub.summary();
      if (summary) note(summary);
      return status;
    } finally {
      await session?.close();
      await sub.close();
    }
  } finally {
    await loaded.dispose();
  }
}

/** The sub-model side of a session. */
export interface SubQueries {
  handle: SubQueryHandler;
  summary(): string;
  close(): void | Promise<void>;
  /** An execution ended: remove its progress line. */
  settle?(): void;
}

/** Runs code in the REPL and prints what it produced. */
class Session {
  failures = 0;
  #answer = { content: "", ready: false };
  constructor(
    private repl: Repl,
    private ctx: CliContext,
    private note: (text: string) => void,
    private restart: () => Promise<Repl>,
    private sub: SubQueries,
  ) {}

  close(): Promise<void> {
    return this.repl.close();
  }

  /** Set while the person's code runs at the interactive prompt. */
  #interactive = false;

  async run(code: string): Promise<void> {
    if (this.ctx.signal.aborted) throw new InterruptedError();
    // At the interactive prompt, Ctrl-C stops the running code, not the session: the terminal
    // delivers it to the REPL process too, which ends; the next prompt gets a fresh REPL.
    let stopped = false;
    const release = this.#interactive
      // Only the first Ctrl-C: if the code does not stop, a second one ends the session.
      ? this.ctx.interceptInterrupt?.(() => stopped ? false : (stopped = true))
      : undefined;
    let result: ExecResult;
    try {
      result = await this.repl.execute(code);
    } finally {
      release?.();
      this.sub.settle?.();
    }
    if (stopped) {
      this.failures++;
      this.ctx.stderr(
        result.fatal
          ? "interrupted; the REPL was restarted and its variables are gone\n"
          : "interrupted\n",
      );
      this.print({ ...result, fatal: undefined, error: undefined });
      return;
    }
    this.print(result);
    if (this.ctx.signal.aborted) throw new InterruptedError();
  }

  async interactive(input: ReplInput): Promise<void> {
    this.#interactive = true;
    const prompt = (text: string) => input.prompt ? input.prompt(text) : this.ctx.stderr(text);
    prompt("> ");
    // Ctrl-C at the prompt: end the prompt's line so the "interrupted" message starts its own.
    const onAbort = () => prompt("\n");
    this.ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await this.#readLoop(input, prompt);
      if (input.prompt) this.ctx.stderr("\n"); // after Ctrl-D the cursor is on the prompt line
    } finally {
      this.ctx.signal.removeEventListener("abort", onAbort);
    }
  }

  async #readLoop(input: ReplInput, prompt: (text: string) => void): Promise<void> {
    let buffer = "";
    for await (const line of untilAborted(input.lines(), this.ctx.signal)) {
      const command = line.trim();
      if (command === ".break" || (!buffer && DOT_COMMANDS.includes(command))) {
        buffer = "";
        if (command === ".exit") return;
        await this.#command(command);
        prompt("> ");
        continue;
      }
      buffer = buffer ? `${buffer}\n${line}` : line;
      if (needsMoreInput(buffer)) {
        prompt("... ");
        continue;
      }
      if (buffer.trim()) {
        input.pause?.();
        try {
          await this.run(buffer);
        } finally {
          input.resume?.();
        }
      }
      buffer = "";
      prompt("> ");
    }
    if (buffer.trim()) await this.run(buffer);
    if (!input.prompt) prompt("\n");
  }

  /** `.help`, `.clear` (a fresh REPL), `.break` (nothing more to do). */
  async #command(command: string): Promise<void> {
    if (command === ".help") {
      for (const line of HELP) this.ctx.stderr(`${line}\n`);
    } else if (command === ".clear") {
      await this.repl.close();
      this.repl = await this.restart();
      this.#answer = { content: "", ready: false };
      this.ctx.stderr("REPL restarted: variables are gone, codebase is loaded again\n");
    }
  }

  print(result: ExecResult): void {
    const out = result.output.replace(/\n$/, "");
    if (result.output) { for (const line of out.split("\n")) this.ctx.stdout(line); }
    if (result.outputChars > result.output.length) {
      this.ctx.stderr(
        `[output truncated: ${result.output.length} of ${result.outputChars} characters shown]\n`,
      );
    }
    if (result.fatal) {
      this.failures++;
      // Ctrl-C also reaches the REPL process; "interrupted" is said once, by the CLI.
      if (!this.ctx.signal.aborted) this.ctx.stderr(`${result.fatal.message}\n`);
    } else if (result.error) {
      this.failures++;
      const where = result.error.line ? ` (line ${result.error.line})` : "";
      this.ctx.stderr(`${result.error.name}: ${result.error.message}${where}\n`);
    } else if (result.value !== undefined) {
      for (const line of result.value.split("\n")) this.ctx.stdout(line);
    }
    // set_answer ends an analysis; here it only sets `answer`, so say that it happened.
    const answer = result.answer;
    if (answer.ready && (!this.#answer.ready || answer.content !== this.#answer.content)) {
      this.note(`[answer set: ${answer.content.length} characters; see answer.content]`);
    }
    this.#answer = answer;
  }
}

/**
 * The lines of `lines` until `signal` aborts: Ctrl-C at an idle prompt ends the session at once
 * (exit 130) instead of after the next line is typed.
 */
async function* untilAborted(
  lines: AsyncIterable<string>,
  signal: AbortSignal,
): AsyncGenerator<string> {
  const iterator = lines[Symbol.asyncIterator]();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new InterruptedError());
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    while (true) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    iterator.return?.();
  }
}

/** The sub-query handler of a REPL session: the engine's dispatcher over `--sub-model`. */
async function defaultSubQueries(
  snapshot: CodebaseSnapshot,
  options: ReplCommandOptions,
  ctx: CliContext,
): Promise<SubQueries> {
  const registry = await loadCommandRegistry(ctx, options.plugins, options.reloadPlugins);
  // On a terminal, a live line shows llm_query/llm_batch progress while code waits on them.
  const progress = createProgress(ctx, { quiet: options.quiet || !ctx.isTerminal });
  const meter = new RateMeter();
  const sub = registry.resolve(options.subModel, "sub");
  announceEndpoints(ctx, [sub.provider], options.quiet);
  if (sub.warning) ctx.stderr(`deeprepo: warning: ${sub.warning}\n`);
  const effortWarned = effortWarning("--sub-effort", sub.label, sub.rules, options.subEffort);
  if (effortWarned) ctx.stderr(`deeprepo: warning: ${effortWarned}\n`);
  let client: ModelClient | undefined;
  // Created on first use: computing on the codebase needs no key.
  const lazyClient: ModelClient = {
    complete: (req) =>
      (client ??= sub.createClient({
        signal: ctx.signal,
        onRetry: (info) => {
          if (options.quiet) return;
          if (ctx.isTerminal) progress.line(retryLine(info));
          else ctx.stderr(`${retryLine(info)}\n`);
        },
      })).complete(req),
  };
  let cache: Cache | undefined;
  if (options.cache) {
    cache = await openKvCache(resolveCacheDir(ctx.env, ctx.cwd), {
      onWarning: (message) => ctx.stderr(`deeprepo: warning: ${message}\n`),
    });
  }
  const spend = new SpendLedger({ rootCost: () => 0, subCost: (u) => costOf(u, sub.pricing) });
  const dispatcher: SubDispatcher = createSubDispatcher({
    client: lazyClient,
    spend,
    coverage: new CoverageLedger(snapshot.codebase, snapshot.files),
    signal: ctx.signal,
    turn: () => 0,
    ...subRequestSettings(sub.rules, options.subEffort),
    batch: cache
      ? subCallBatcher(cache, sub.label, {
        rules: sub.rules,
        effort: options.subEffort,
        endpoint: endpointOf(sub.provider, ctx.env).url,
      })
      : undefined,
    onChange: (stats) => {
      meter.add(performance.now(), stats.done);
      progress.status(
        batchStatusLine(stats, spend.sub.costUsd, {
          elapsedMs: 0,
          rate: meter.rate(performance.now()),
          columns: ctx.columns ?? DEFAULT_COLUMNS,
        }),
      );
    },
  });
  return {
    handle: dispatcher.handle,
    settle: () => progress.done(),
    summary: () => {
      const s = dispatcher.stats;
      if (s.requested === 0) return "";
      return `sub-model ${sub.label}: ${s.requested} prompts, ${s.calls} calls, ` +
        `${s.cacheHits} cache hits, ${s.errors} errors, ${formatUsd(spend.sub.costUsd)}`;
    },
    close: async () => {
      await cache?.close();
    },
  };
}
