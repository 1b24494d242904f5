// deno-lint-ignore-file no-explicit-any
/**
 * The main thread of the sandbox process. {@linkcode relayMain} is sent as source text
 * (`Function.prototype.toString`), so it must be self-contained: no references to anything outside
 * its own body (the `import type` below is erased).
 *
 * It starts the user-code Worker, relays between it and the host, and is the only code that
 * knows the per-process nonce that tags protocol frames.
 *
 * @module
 */
import type { CHILD_LIMITS } from "./child_limits.ts";

/**
 * Main thread of the sandbox process: reads host messages from stdin, starts the user-code
 * Worker, relays between the two, and writes nonce-tagged frames to stdout. Exits when stdin
 * closes (the host is gone).
 *
 * @param workerSource Source of the worker module (`workerSource()` in `process.ts`).
 * @param limits {@linkcode CHILD_LIMITS}.
 */
export function relayMain(workerSource: string, limits: typeof CHILD_LIMITS): void {
  const D = (globalThis as any).Deno;
  const stdout = D.stdout;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let nonce = "";
  let worker: any = null;
  let port: any = null;
  let hello: any = null;
  let initialized = false;

  const writeFrame = (message: unknown): boolean => {
    const bytes = encoder.encode(`\x1e${nonce} ${JSON.stringify(message)}\n`);
    if (bytes.length > limits.frameBytes) return false;
    let rest = bytes;
    while (rest.length > 0) rest = rest.subarray(stdout.writeSync(rest));
    return true;
  };

  /** The answer as framed: cut to `answerChars`, saying how many characters were cut. */
  const answerOf = (content: unknown, ready: unknown) => {
    const text = String(content ?? "");
    const kept = text.slice(0, limits.answerChars);
    return {
      content: kept,
      ready: ready === true,
      ...(kept.length < text.length ? { truncatedChars: text.length - kept.length } : {}),
    };
  };

  const isStringArray = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === "string");

  const fromWorker = (data: any) => {
    if (!data || typeof data !== "object") return;
    switch (data.type) {
      case "ready":
        writeFrame({ type: "ready" });
        return;
      case "pong":
        writeFrame({ type: "pong" });
        return;
      case "answer":
        writeFrame({ type: "answer", ...answerOf(data.content, data.ready) });
        return;
      case "started":
        if (typeof data.id === "number") writeFrame({ type: "started", id: data.id });
        return;
      case "output":
        if (typeof data.id === "number" && typeof data.text === "string") {
          writeFrame({
            type: "output",
            id: data.id,
            text: data.text.slice(0, limits.outputBufferChars),
          });
        }
        return;
      case "llm": {
        const id = data.id;
        if (typeof id !== "number") return;
        const prompts = data.prompts;
        let error = "";
        if (!isStringArray(prompts)) error = "llm_batch expects an array of strings";
        else if (prompts.length > limits.prompts) {
          error = `llm_batch accepts at most ${limits.prompts} prompts`;
        } else if (prompts.reduce((n, p) => n + p.length, 0) > limits.promptChars) {
          error = `llm_batch prompts exceed ${limits.promptChars} characters in total`;
        }
        if (!error && !writeFrame({ type: "llm", id, prompts })) {
          error = "llm_batch request is too large";
        }
        if (error) port.postMessage({ type: "llm_result", id, error });
        return;
      }
      case "result": {
        const error = data.error && typeof data.error === "object"
          ? {
            name: String(data.error.name).slice(0, 200),
            message: String(data.error.message).slice(0, 10_000),
            ...(typeof data.error.line === "number" ? { line: data.error.line } : {}),
          }
          : undefined;
        const id = Number(data.id);
        const outputChars = Number(data.outputChars) || 0;
        const written = writeFrame({
          type: "result",
          id,
          output: String(data.output ?? "").slice(0, limits.outputBufferChars),
          outputChars,
          ...(error ? { error } : {}),
          ...(typeof data.value === "string"
            ? { value: data.value.slice(0, limits.valueChars) }
            : {}),
          answer: answerOf(data.answer?.content, data.answer?.ready),
        });
        if (!written) {
          writeFrame({
            type: "result",
            id,
            output: "",
            outputChars,
            error: {
              name: "RangeError",
              message: "the execution's result was too large to return",
            },
            answer: { content: "", ready: false },
          });
        }
        return;
      }
    }
  };

  const fromHost = (message: any) => {
    if (!message || typeof message !== "object") return;
    if (message.type === "hello" && !hello && typeof message.nonce === "string") {
      hello = message;
      nonce = message.nonce;
      return;
    }
    if (message.type === "init" && hello && !initialized) {
      initialized = true;
      worker.postMessage({
        type: "init",
        port: channel.port2,
        codebase: message.codebase,
        fileTree: message.fileTree,
        metadata: message.metadata,
        answer: hello.answer,
        limits,
      }, [channel.port2]);
      return;
    }
    if (!initialized) return;
    if (message.type === "ping") {
      port.postMessage({ type: "ping" });
    } else if (message.type === "exec" && typeof message.id === "number") {
      port.postMessage({ type: "exec", id: message.id, source: String(message.source) });
    } else if (message.type === "llm_result" && typeof message.id === "number") {
      port.postMessage({
        type: "llm_result",
        id: message.id,
        ...(isStringArray(message.results) ? { results: message.results } : {}),
        ...(typeof message.error === "string" ? { error: message.error } : {}),
      });
    }
  };

  // The worker boots while the host is still sending the codebase; it waits for its init.
  const channel = new MessageChannel();
  port = channel.port1;
  port.onmessage = (event: any) => {
    try {
      fromWorker(event.data);
    } catch {
      // A malformed message from the worker is dropped; the host's timeout still applies.
    }
  };
  const url = URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
  worker = new Worker(url, { type: "module" });
  worker.onmessage = () => {}; // Raw worker messages are not part of the protocol.
  worker.onerror = (event: any) => {
    event.preventDefault?.();
    D.exit(70);
  };

  (async () => {
    const pending: Uint8Array[] = [];
    for await (const chunk of D.stdin.readable as AsyncIterable<Uint8Array>) {
      let start = 0;
      let newline = chunk.indexOf(10, start);
      while (newline !== -1) {
        pending.push(chunk.subarray(start, newline));
        const size = pending.reduce((n, p) => n + p.length, 0);
        const line = new Uint8Array(size);
        let offset = 0;
        for (const part of pending) {
          line.set(part, offset);
          offset += part.length;
        }
        pending.length = 0;
        fromHost(JSON.parse(decoder.decode(line)));
        start = newline + 1;
        newline = chunk.indexOf(10, start);
      }
      if (start < chunk.length) pending.push(chunk.slice(start));
    }
    D.exit(0);
  })();
}
