/**
 * The host side of the sandboxed REPL: one sandbox process at a time, executions one after
 * another, sub-model requests answered through the host's handler, and a fresh process whenever
 * one ends (timeout, out of memory, crash, self-kill, protocol violation).
 *
 * Timeout rule (see `clock.ts`): wall time counts while no sub-model request of the execution is
 * in flight; while some are, waiting is free but the sandbox's computing and the host's work on
 * those requests beyond a fair share are not.
 *
 * @module
 */
import { DEFAULTS } from "../defaults.ts";
import { RunError } from "../errors.ts";
import { encodeHostMessage, HOST_LIMITS, newNonce } from "./protocol.ts";
import type { ChildMessage } from "./protocol.ts";
import { type ChildCommand, type ChildExit, type ChildHandle, spawnChild } from "./process.ts";
import { ExecutionClock, hostMeter } from "./clock.ts";
import { prepareCode } from "./transform.ts";
import type { ExecResult, Repl, ReplOptions } from "./types.ts";

/** Defaults of {@linkcode ReplOptions}. */
export const REPL_DEFAULTS = {
  execTimeoutSeconds: DEFAULTS.execTimeoutSeconds,
  memoryLimitMb: 1024,
  /** Longest wait for a new process to load the codebase and report ready. */
  startupTimeoutMs: 60_000,
};

type Answer = ExecResult["answer"];

interface Session {
  handle: ChildHandle;
  alive: boolean;
  /** Receives result and llm messages while an execution runs. */
  handler: ((message: ChildMessage) => void) | null;
  /** Called once when the process ends. */
  onExit: ((reason: string) => void) | null;
  violation?: string;
}

/** The {@linkcode Repl} implementation over sandbox processes. */
export class SandboxRepl implements Repl {
  readonly #options: ReplOptions;
  readonly #timeoutMs: number;
  readonly #memoryLimitMb: number;
  #initBytes: Uint8Array | undefined;
  #current: Session | undefined;
  #starting: Promise<Session> | undefined;
  #answer: Answer = { content: "", ready: false };
  #execId = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #sessions = new Set<Session>();
  readonly #command: ChildCommand | undefined;

  /**
   * @param options What the REPL is created with.
   * @param internals `command` replaces the sandbox process's command line (tests only).
   */
  constructor(options: ReplOptions, internals: { command?: ChildCommand } = {}) {
    this.#options = options;
    this.#command = internals.command;
    this.#timeoutMs = (options.execTimeoutSeconds ?? REPL_DEFAULTS.execTimeoutSeconds) * 1000;
    this.#memoryLimitMb = options.memoryLimitMb ?? defaultMemoryLimitMb(options.codebase);
  }

  /** Starts the first process; rejects with a RunError when it cannot start. */
  async start(): Promise<void> {
    try {
      await this.#session();
    } catch (error) {
      await this.close();
      throw new RunError(`the REPL could not be started: ${(error as Error).message}`);
    }
  }

  execute(code: string): Promise<ExecResult> {
    const run = this.#queue.then(() => this.#run(code));
    this.#queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const sessions = [...this.#sessions];
    for (const session of sessions) this.#end(session, "the REPL was closed");
    const exits = sessions.map((s) => s.handle.exited);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(exits),
      new Promise((resolve) => timer = setTimeout(resolve, 5000)),
    ]);
    clearTimeout(timer);
  }

  async #run(code: string): Promise<ExecResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (this.#closed) return this.#fatal("crash", "the REPL is closed", elapsed(), 0);
    const id = ++this.#execId;
    let prepared: ReturnType<typeof prepareCode>;
    try {
      prepared = prepareCode(String(code), id);
    } catch (error) {
      // The parser itself failed (e.g. its stack on absurdly nested code): still a value.
      prepared = {
        ok: false,
        error: { name: "SyntaxError", message: String((error as Error)?.message ?? error) },
      };
    }
    if (!prepared.ok) {
      return {
        output: "",
        outputChars: 0,
        error: prepared.error,
        answer: { ...this.#answer },
        elapsedMs: elapsed(),
        subQueryMs: 0,
      };
    }
    let session: Session;
    try {
      session = await this.#session();
    } catch (error) {
      return this.#fatal(
        "crash",
        `the REPL could not be restarted: ${(error as Error).message}`,
        elapsed(),
        0,
      );
    }
    return await new Promise<ExecResult>((resolve) => {
      const abort = new AbortController();
      let done = false;
      let inflight = 0;
      let inflightPrompts = 0;
      let inflightChars = 0;
      let subQueryMs = 0;
      let subStarted = 0;
      let partial = "";
      let started = false;

      const finish = (result: Omit<ExecResult, "elapsedMs" | "subQueryMs">) => {
        if (done) return;
        done = true;
        clock.stop();
        abort.abort(new Error("the execution ended"));
        if (inflight > 0) subQueryMs += performance.now() - subStarted;
        session.handler = null;
        session.onExit = null;
        resolve({ ...result, elapsedMs: elapsed(), subQueryMs: Math.round(subQueryMs) });
      };
      const onTimeout = () => {
        const seconds = Math.round(this.#timeoutMs / 100) / 10;
        session.onExit = null;
        this.#end(session, "timeout");
        this.#restartSoon(); // Do not wait for the old process to be reaped.
        // Never started: the REPL was still busy with work an earlier execution left running
        // (timers are cancelled when an execution ends, promise loops cannot be).
        const cause = started ? "" : " before it could start (code an earlier execution left " +
          "running without awaiting it kept the REPL busy)";
        finish(this.#fatalBody(
          "timeout",
          `execution timed out after ${seconds} s${cause}; the REPL was restarted and its ` +
            "variables are gone",
          partial,
        ));
      };
      const clock = new ExecutionClock(
        this.#timeoutMs,
        () => onTimeout(),
        hostMeter(() => session.handle.send(encodeHostMessage({ type: "ping" }))),
      );
      session.onExit = (reason) =>
        finish(this.#fatalBody(
          "crash",
          this.#closed
            ? `the REPL process ended (${reason})`
            : `the REPL process ended (${reason}); the REPL was restarted and its variables ` +
              "are gone",
          partial,
        ));
      session.handler = (message) => {
        if (message.type === "pong") {
          clock.pong();
        } else if (message.type === "started" && message.id === id) {
          started = true;
        } else if (message.type === "output" && message.id === id) {
          if (partial.length < HOST_LIMITS.outputChars) {
            partial += message.text.slice(0, HOST_LIMITS.outputChars - partial.length);
          }
        } else if (message.type === "result" && message.id === id) {
          this.#answer = { ...message.answer };
          finish({
            output: message.output,
            outputChars: message.outputChars,
            ...(message.error ? { error: message.error } : {}),
            ...(message.value !== undefined ? { value: message.value } : {}),
            answer: { ...message.answer },
          });
        } else if (message.type === "llm") {
          const count = message.prompts.length;
          const chars = message.prompts.reduce((n, p) => n + p.length, 0);
          const refusal = inflightRefusal(inflightPrompts + count, inflightChars + chars);
          if (refusal) {
            session.handle.send(
              encodeHostMessage({ type: "llm_result", id: message.id, error: refusal }),
            );
            return;
          }
          inflightPrompts += count;
          inflightChars += chars;
          inflight++;
          if (inflight === 1) {
            clock.wait();
            subStarted = performance.now();
          }
          this.#serveSubQuery(session, message.id, message.prompts, abort.signal).finally(() => {
            if (done) return;
            inflightPrompts -= count;
            inflightChars -= chars;
            inflight--;
            if (inflight === 0) {
              subQueryMs += performance.now() - subStarted;
              clock.run();
            }
          });
        }
      };
      if (!session.alive) {
        // The process ended between being picked and receiving this execution.
        session.onExit?.(session.violation ?? "ended before the execution started");
        return;
      }
      clock.run();
      session.handle.send(encodeHostMessage({ type: "exec", id, source: prepared.source }));
    });
  }

  async #serveSubQuery(
    session: Session,
    id: number,
    prompts: string[],
    signal: AbortSignal,
  ): Promise<void> {
    let reply: Record<string, unknown>;
    try {
      const answers = await this.#options.onSubQuery(prompts, signal);
      if (!Array.isArray(answers)) throw new TypeError("the sub-query handler returned no list");
      const results = prompts.map((_, i) =>
        typeof answers[i] === "string" ? answers[i] : `[ERROR: no response for prompt ${i}]`
      );
      reply = { type: "llm_result", id, results };
    } catch (error) {
      reply = { type: "llm_result", id, error: String((error as Error)?.message ?? error) };
    }
    if (signal.aborted || !session.alive) return;
    await session.handle.send(encodeHostMessage(reply));
  }

  /** A fatal result; `output` is what the execution had streamed before the process ended. */
  #fatalBody(kind: "timeout" | "crash", message: string, output = "") {
    return {
      output,
      outputChars: output.length,
      answer: { ...this.#answer },
      fatal: { kind, message },
    };
  }

  #fatal(kind: "timeout" | "crash", message: string, elapsedMs: number, subQueryMs: number) {
    return { ...this.#fatalBody(kind, message), elapsedMs, subQueryMs };
  }

  /** The live session, starting one when there is none. */
  async #session(): Promise<Session> {
    if (this.#current?.alive) return this.#current;
    if (!this.#starting) this.#starting = this.#spawn();
    try {
      const session = await this.#starting;
      if (!session.alive) throw new Error("the REPL process ended while starting");
      this.#current = session;
      return session;
    } finally {
      this.#starting = undefined;
    }
  }

  async #spawn(): Promise<Session> {
    if (this.#closed) throw new Error("the REPL is closed");
    this.#initBytes ??= encodeHostMessage({
      type: "init",
      codebase: this.#options.codebase,
      fileTree: this.#options.fileTree,
      metadata: this.#options.metadata,
    });
    const nonce = newNonce();
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => markReady = resolve);
    // deno-lint-ignore prefer-const
    let session: Session;
    const handle = spawnChild({
      memoryLimitMb: this.#memoryLimitMb,
      nonce,
      command: this.#command,
      onEvent: (event) => {
        if (event.kind === "violation") {
          session.violation = event.reason;
          return;
        }
        if (event.kind !== "message") return;
        const message = event.message;
        if (message.type === "ready") markReady();
        else if (message.type === "answer") {
          const { type: _type, ...answer } = message;
          this.#answer = answer;
        } else if (session.handler) session.handler(message);
        else if (message.type === "llm") {
          session.handle.send(encodeHostMessage({
            type: "llm_result",
            id: message.id,
            error: "sub-model calls are only served while an execution runs",
          }));
        }
      },
    });
    session = { handle, alive: true, handler: null, onExit: null };
    this.#sessions.add(session);
    const exited = handle.exited.then((exit) => {
      session.alive = false;
      this.#sessions.delete(session);
      const reason = session.violation ?? describeExit(exit);
      const onExit = session.onExit;
      session.onExit = null;
      onExit?.(reason);
      if (this.#current === session) this.#current = undefined;
      this.#restartSoon();
      return reason;
    });
    await handle.send(encodeHostMessage({ type: "hello", nonce, answer: this.#answer }));
    await handle.send(this.#initBytes);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      ready.then(() => "ready"),
      exited.then((reason) => `the REPL process ended while starting (${reason})`),
      new Promise<string>((resolve) =>
        timer = setTimeout(
          () => resolve("the REPL process did not start in time"),
          REPL_DEFAULTS.startupTimeoutMs,
        )
      ),
    ]);
    clearTimeout(timer);
    if (outcome !== "ready") {
      handle.kill();
      throw new Error(outcome);
    }
    return session;
  }

  /** Kills a session; its exit handler finishes any running execution. */
  #end(session: Session, reason: string): void {
    if (!session.violation) session.violation = reason;
    session.alive = false;
    if (this.#current === session) this.#current = undefined;
    session.handle.kill();
  }

  /** Starts the next process in the background so the next execution need not wait. */
  #restartSoon(): void {
    if (this.#closed || this.#current?.alive || this.#starting) return;
    this.#starting = this.#spawn();
    this.#starting.catch(() => {
      // Reported by the next execution, which tries again.
      this.#starting = undefined;
    });
  }
}

/**
 * The default heap limit: 1024 MB, or more for a codebase so large that holding it (up to two
 * bytes per character, parsed once in each of the process's two isolates) plus working room
 * would not fit.
 */
export function defaultMemoryLimitMb(codebase: Record<string, string>): number {
  let chars = 0;
  for (const content of Object.values(codebase)) chars += content.length;
  const needed = Math.ceil((chars * 4) / (1024 * 1024)) + 512;
  return Math.max(REPL_DEFAULTS.memoryLimitMb, needed);
}

/**
 * Why a sub-model request may not join those in flight, or `undefined`. Code that starts calls
 * without awaiting them gets an error instead of queueing prompts without bound in the host.
 */
function inflightRefusal(prompts: number, chars: number): string | undefined {
  if (prompts > HOST_LIMITS.inflightPrompts) {
    return `too many sub-model prompts in flight (at most ${HOST_LIMITS.inflightPrompts}): ` +
      "await earlier llm_query/llm_batch calls before starting more";
  }
  if (chars > HOST_LIMITS.inflightPromptChars) {
    return "too many sub-model prompt characters in flight (at most " +
      `${HOST_LIMITS.inflightPromptChars}): await earlier llm_query/llm_batch calls before ` +
      "starting more";
  }
  return undefined;
}

function describeExit(exit: ChildExit): string {
  if (/out of memory|heap limit|allocation failed|memory allocation of/i.test(exit.stderrTail)) {
    return "out of memory";
  }
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}
