/**
 * The host ↔ sandbox protocol. Host → child: one JSON object per line on the child's stdin.
 * Child → host: one frame per line on the child's stdout, `\x1e<nonce> <json>`, where the nonce is
 * random per process and known only to the child's relay thread, never to user code. Lines
 * without the nonce are noise and ignored; a tagged line that is not a valid message, or any line
 * longer than the cap, is a protocol violation and ends the child.
 *
 * Every message is validated field by field into a fresh object: nothing from the child is merged
 * into host objects, so `__proto__`/`constructor` keys stay inert data.
 *
 * @module
 */
import type { ExecError } from "./types.ts";

/** A message the child may send. */
export type ChildMessage =
  | { type: "ready" }
  /** The worker's answer to a ping (the execution clock measures how long the worker is busy). */
  | { type: "pong" }
  | { type: "answer"; content: string; ready: boolean; truncatedChars?: number }
  /** The worker picked up execution `id` (it was not busy with work left by an earlier one). */
  | { type: "started"; id: number }
  | { type: "output"; id: number; text: string }
  | { type: "llm"; id: number; prompts: string[] }
  | {
    type: "result";
    id: number;
    output: string;
    outputChars: number;
    error?: ExecError;
    value?: string;
    answer: { content: string; ready: boolean; truncatedChars?: number };
  };

/** What reading the child's stdout yields. */
export type FrameEvent =
  | { kind: "message"; message: ChildMessage }
  | { kind: "noise"; text: string }
  | { kind: "violation"; reason: string };

/** Host-side caps on what the child may send. */
export const HOST_LIMITS = {
  /** Bytes in one line from the child (the child's own cap is 64 MiB). */
  frameBytes: 80 * 1024 * 1024,
  /** Characters of output kept from one result. */
  outputChars: 1_000_000,
  /** Prompts, and their total characters, in one sub-query request. */
  prompts: 10_000,
  promptChars: 16_000_000,
  valueChars: 10_000,
  /**
   * Prompts of one execution waiting on the host at once. Code that starts calls without
   * awaiting them (a loop of `llm_query`) gets an error beyond this instead of queueing without
   * bound in the host.
   */
  inflightPrompts: 10_000,
  /**
   * Characters of the prompts of one execution waiting on the host at once: four full-size
   * requests. The host holds every waiting prompt (and copies of the few being sent), so this is
   * what bounds its memory against un-awaited calls, not the prompt count.
   */
  inflightPromptChars: 64_000_000,
};

const encoder = new TextEncoder();

/** Encodes one host → child message as a JSON line. */
export function encodeHostMessage(message: Record<string, unknown>): Uint8Array {
  return encoder.encode(JSON.stringify(message) + "\n");
}

/** A fresh random nonce (128 bits, hex). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Reads frames from the child's stdout.
 *
 * @param stream The child's stdout.
 * @param nonce The nonce this child was given.
 * @param maxLineBytes Longest accepted line; a longer one yields a violation and reading stops
 *   without buffering the rest.
 */
export async function* readFrames(
  stream: ReadableStream<Uint8Array>,
  nonce: string,
  maxLineBytes = HOST_LIMITS.frameBytes,
): AsyncGenerator<FrameEvent> {
  const marker = `\x1e${nonce} `;
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  try {
    while (true) {
      const { value: chunk, done } = await reader.read();
      if (done) return;
      let start = 0;
      let newline = chunk.indexOf(10, start);
      while (newline !== -1) {
        if (pendingBytes + newline - start > maxLineBytes) {
          yield {
            kind: "violation",
            reason: `a line from the REPL exceeded ${maxLineBytes} bytes`,
          };
          return;
        }
        const line = decoder.decode(join(pending, chunk.subarray(start, newline)));
        pending.length = 0;
        pendingBytes = 0;
        yield decodeLine(line, marker);
        start = newline + 1;
        newline = chunk.indexOf(10, start);
      }
      if (start < chunk.length) {
        pendingBytes += chunk.length - start;
        if (pendingBytes > maxLineBytes) {
          yield {
            kind: "violation",
            reason: `a line from the REPL exceeded ${maxLineBytes} bytes`,
          };
          return;
        }
        pending.push(chunk.slice(start));
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function join(parts: Uint8Array[], last: Uint8Array): Uint8Array {
  if (parts.length === 0) return last;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, last.length));
  let offset = 0;
  for (const part of [...parts, last]) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function decodeLine(line: string, marker: string): FrameEvent {
  const at = line.indexOf(marker);
  if (at === -1) return { kind: "noise", text: line.slice(0, 200) };
  let raw: unknown;
  try {
    raw = JSON.parse(line.slice(at + marker.length));
  } catch {
    return { kind: "violation", reason: "a frame from the REPL is not valid JSON" };
  }
  const message = validateChildMessage(raw);
  return message
    ? { kind: "message", message }
    : { kind: "violation", reason: "a frame from the REPL has an invalid shape" };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{ truncatedChars }` when present and valid, `{}` when absent, `null` when invalid. */
function truncatedChars(value: unknown): { truncatedChars?: number } | null {
  if (value === undefined) return {};
  return isId(value) ? { truncatedChars: value } : null;
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/**
 * Checks an untrusted parsed value against the child message schema and copies the accepted
 * fields into a fresh object.
 *
 * @returns The message, or `undefined` when any field is missing, mistyped or over a cap.
 */
export function validateChildMessage(raw: unknown): ChildMessage | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case "ready":
      return { type: "ready" };
    case "pong":
      return { type: "pong" };
    case "answer": {
      if (typeof raw.content !== "string" || typeof raw.ready !== "boolean") return undefined;
      const cut = truncatedChars(raw.truncatedChars);
      if (cut === null) return undefined;
      return { type: "answer", content: raw.content, ready: raw.ready, ...cut };
    }
    case "started":
      return isId(raw.id) ? { type: "started", id: raw.id } : undefined;
    case "output":
      if (!isId(raw.id) || typeof raw.text !== "string") return undefined;
      return { type: "output", id: raw.id, text: raw.text.slice(0, HOST_LIMITS.outputChars) };
    case "llm": {
      const prompts = raw.prompts;
      if (!isId(raw.id) || !Array.isArray(prompts)) return undefined;
      if (prompts.length === 0 || prompts.length > HOST_LIMITS.prompts) return undefined;
      let chars = 0;
      const copy: string[] = [];
      for (const p of prompts) {
        if (typeof p !== "string") return undefined;
        chars += p.length;
        copy.push(p);
      }
      if (chars > HOST_LIMITS.promptChars) return undefined;
      return { type: "llm", id: raw.id, prompts: copy };
    }
    case "result": {
      const answer = raw.answer;
      if (!isId(raw.id) || typeof raw.output !== "string") return undefined;
      if (typeof raw.outputChars !== "number" || !(raw.outputChars >= 0)) return undefined;
      if (!isRecord(answer) || typeof answer.content !== "string") return undefined;
      if (typeof answer.ready !== "boolean") return undefined;
      const cut = truncatedChars(answer.truncatedChars);
      if (cut === null) return undefined;
      const result: ChildMessage = {
        type: "result",
        id: raw.id,
        output: raw.output.slice(0, HOST_LIMITS.outputChars),
        outputChars: Math.max(raw.outputChars, raw.output.length),
        answer: { content: answer.content, ready: answer.ready, ...cut },
      };
      if (raw.error !== undefined) {
        const error = raw.error;
        if (!isRecord(error) || typeof error.name !== "string") return undefined;
        if (typeof error.message !== "string") return undefined;
        if (error.line !== undefined && !isId(error.line)) return undefined;
        result.error = {
          name: error.name.slice(0, 200),
          message: error.message.slice(0, 10_000),
          ...(error.line !== undefined ? { line: error.line as number } : {}),
        };
      }
      if (raw.value !== undefined) {
        if (typeof raw.value !== "string") return undefined;
        result.value = raw.value.slice(0, HOST_LIMITS.valueChars);
      }
      return result;
    }
    default:
      return undefined;
  }
}
