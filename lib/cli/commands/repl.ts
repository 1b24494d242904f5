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
import { retryLine } from "../progress.ts";
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
import type { ExecResult, Repl, ReplOptions, SubQueryHandler } from "../../sandbox/mod.ts";
import { InterruptedError } from "../../errors.ts";
import { formatUsd } from "../../format.ts";

/** What {@linkcode runRepl} reads input from (injected in tests). */
export interface ReplInput {
  /** Text lines typed by the person; `undefined` at end of input. */
  lines(): AsyncIterable<string>;
  /** Everything on stdin (non-terminal, no `--eval`). */
  readAll(): Promise<string>;
  isTerminal: boolean;
}

/** Dependencies of {@linkcode runRepl}, overridable in tests. */
export interface ReplDeps {
  input: ReplInput;
  createRepl(options: ReplOptions): Promise<Repl>;
  /** Builds the sub-query handler; the default uses the registry, the cache and the engine's dispatcher. */
  subQueries?(
    snapshot: CodebaseSnapshot,
    options: ReplCommandOptions,
    ctx: CliContext,
  ): Promise<{ handle: SubQueryHandler; summary(): string; close(): void | Promise<void> }>;
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
  return runRepl(options, ctx, { input: stdinInput, createRepl });
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
    let repl: Repl | undefined;
    try {
      repl = await deps.createRepl({
        codebase: snapshot.codebase,
        fileTree: snapshot.fileTree,
        metadata: snapshot.metadata,
        onSubQuery: sub.handle,
        execTimeoutSeconds: options.execTimeoutSeconds,
      });
      const session = new Session(repl, ctx, note);
      if (options.evals.length > 0) {
        for (const code of options.evals) await session.run(code);
      } else if (deps.input.isTerminal) {
        note(
          `deeprepo REPL: ${snapshot.metadata.repo_name}, ${snapshot.metadata.total_files} files. ` +
            "Globals: codebase, file_tree, metadata, llm_query, llm_batch, set_answer, answer, " +
            "print. End with .exit or Ctrl-D.",
        );
        await session.interactive(deps.input, (text) => ctx.stderr(text));
      } else {
        await session.run(await deps.input.readAll());
      }
      const summary = sub.summary();
      if (summary) note(summary);
      return session.failures > 0 ? 1 : 0;
    } finally {
      await repl?.close();
      await sub.close();
    }
  } finally {
    await loaded.dispose();
  }
}

/** Runs code in the REPL and prints what it produced. */
class Session {
  failures = 0;
  #answer = { content: "", ready: false };
  constructor(
    private repl: Repl,
    private ctx: CliContext,
    private note: (text: string) => void,
  ) {}

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

  async interactive(input: ReplInput, prompt: (text: string) => void): Promise<void> {
    this.#interactive = true;
    prompt("> ");
    // Ctrl-C at the prompt: end the prompt's line so the "interrupted" message starts its own.
    const onAbort = () => prompt("\n");
    this.ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await this.#readLoop(input, prompt);
    } finally {
      this.ctx.signal.removeEventListener("abort", onAbort);
    }
  }

  async #readLoop(input: ReplInput, prompt: (text: string) => void): Promise<void> {
    let buffer = "";
    for await (const line of untilAborted(input.lines(), this.ctx.signal)) {
      if (!buffer && line.trim() === ".exit") return;
      buffer = buffer ? `${buffer}\n${line}` : line;
      if (needsMoreInput(buffer)) {
        prompt("... ");
        continue;
      }
      if (buffer.trim()) await this.run(buffer);
      buffer = "";
      prompt("> ");
    }
    if (buffer.trim()) await this.run(buffer);
    prompt("\n");
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
): Promise<{ handle: SubQueryHandler; summary(): string; close(): Promise<void> }> {
  const registry = await loadCommandRegistry(ctx, options.plugins, options.reloadPlugins);
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
          if (!options.quiet) ctx.stderr(`${retryLine(info)}\n`);
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
  });
  return {
    handle: dispatcher.handle,
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
