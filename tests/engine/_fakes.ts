/**
 * In-process fakes for engine tests: a scripted ModelClient and a REPL that runs code with
 * `AsyncFunction` (state persists through a shared `state` object instead of declarations).
 *
 * @module
 */
import type {
  CompletionRequest,
  CompletionResponse,
  ModelClient,
  Usage,
} from "../../lib/providers/types.ts";
import type { ExecResult, Repl, ReplOptions } from "../../lib/sandbox/types.ts";
import type { CodebaseSnapshot } from "../../lib/loader/types.ts";

/** A reply for the scripted client; a function computes it from the request. */
export type Scripted =
  | Partial<CompletionResponse> & { throws?: Error }
  | ((req: CompletionRequest) => Partial<CompletionResponse> & { throws?: Error });

/** A ModelClient that serves scripted replies in order and fails loudly when it runs out. */
export class ScriptedClient implements ModelClient {
  readonly requests: CompletionRequest[] = [];
  #script: Scripted[];
  #fallback?: Scripted;
  constructor(script: Scripted[] = [], fallback?: Scripted) {
    this.#script = [...script];
    this.#fallback = fallback;
  }
  complete(req: CompletionRequest): Promise<CompletionResponse> {
    this.requests.push(
      structuredClone({ ...req, onText: undefined, onThinking: undefined, signal: undefined }),
    );
    const next = this.#script.shift() ?? this.#fallback;
    if (!next) {
      return Promise.reject(
        new Error(`ScriptedClient: no scripted reply left (#${this.requests.length})`),
      );
    }
    const r = typeof next === "function" ? next(req) : next;
    if (r.throws) return Promise.reject(r.throws);
    for (const part of r.parts ?? []) {
      if (part.type === "opaque" && part.thinking) req.onThinking?.(part.thinking);
    }
    if (r.text) req.onText?.(r.text);
    const usage: Usage = r.usage ?? { inputTokens: 100, outputTokens: 10 };
    return Promise.resolve({
      text: r.text ?? "",
      toolCalls: r.toolCalls ?? [],
      usage,
      stopReason: r.stopReason,
      ...(r.parts ? { parts: r.parts } : {}),
    });
  }
}

/** A tool-call reply running `code`. */
export function toolCall(
  code: string,
  id = `call_${crypto.randomUUID().slice(0, 8)}`,
  usage?: Usage,
) {
  return { toolCalls: [{ id, name: "execute_code", input: { code } }], usage };
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<unknown>;

/** A REPL stand-in: runs code in-process with the REPL globals plus a persistent `state`. */
export class FakeRepl implements Repl {
  readonly executed: string[] = [];
  closed = false;
  #answer = { content: "", ready: false };
  #state: Record<string, unknown> = {};
  constructor(readonly options: ReplOptions) {}

  async execute(code: string): Promise<ExecResult> {
    this.executed.push(code);
    const out: string[] = [];
    const print = (...v: unknown[]) => out.push(v.map(String).join(" "));
    let subQueryMs = 0;
    const timed = async <T>(p: Promise<T>) => {
      const t = performance.now();
      try {
        return await p;
      } finally {
        subQueryMs += performance.now() - t;
      }
    };
    const signal = new AbortController().signal;
    const llm_batch = (prompts: string[]) => timed(this.options.onSubQuery(prompts, signal));
    const llm_query = async (p: string) => (await llm_batch([p]))[0];
    const set_answer = (text: string) => {
      this.#answer = { content: String(text), ready: true };
    };
    const started = performance.now();
    let error: ExecResult["error"];
    try {
      const fn = new AsyncFunction(
        "print",
        "llm_batch",
        "llm_query",
        "set_answer",
        "codebase",
        "file_tree",
        "metadata",
        "state",
        "answer",
        code,
      );
      await fn(
        print,
        llm_batch,
        llm_query,
        set_answer,
        this.options.codebase,
        this.options.fileTree,
        this.options.metadata,
        this.#state,
        this.#answer,
      );
    } catch (e) {
      error = { name: (e as Error).name, message: (e as Error).message };
    }
    const output = out.join("\n");
    return {
      output,
      outputChars: output.length,
      error,
      answer: { ...this.#answer },
      elapsedMs: performance.now() - started,
      subQueryMs,
    };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A snapshot over in-memory files (every file `included`). */
export function makeSnapshot(files: Record<string, string>, repoName = "sample"): CodebaseSnapshot {
  const paths = Object.keys(files).sort();
  const totalChars = paths.reduce((n, p) => n + files[p].length, 0);
  return {
    codebase: { ...files },
    fileTree: paths.join("\n"),
    metadata: {
      repo_name: repoName,
      total_files: paths.length,
      total_chars: totalChars,
      total_lines: paths.reduce((n, p) => n + files[p].split("\n").length, 0),
      file_types: {},
      largest_files: paths.map((p) => [p, files[p].length] as [string, number]),
      entry_points: [],
      languages: {},
    },
    files: paths.map((path) => ({
      path,
      chars: files[path].length,
      bytes: files[path].length,
      status: "included" as const,
    })),
    skipped: [],
    root: "/nonexistent",
    source: "/nonexistent",
    secretsRedacted: {},
    warnings: [],
  };
}

/** Files with distinct, recognisable contents. */
export function sampleFiles(n: number, size = 600): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const line = `export const value${i} = ${i}; // file ${i} of the sample set\n`;
    files[`src/file_${i}.ts`] = line.repeat(Math.ceil(size / line.length)).slice(0, size);
  }
  return files;
}
