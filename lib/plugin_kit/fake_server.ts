/**
 * A loopback server speaking a plugin's wire format through its {@linkcode FakeAdapter}: each
 * request gets the next scripted reply, rendered by the adapter. Used by `plugins check` and by
 * the kit's conformance suite. Loud when the script runs out (500 and a recorded failure).
 *
 * @module
 */
import type { FakeAdapter, FakeRequest, ScriptedReply } from "../providers/mod.ts";
import { renderOpenAIReply } from "./openai_fake.ts";

/** A running fake. */
export interface PluginFake {
  /** Origin plus the adapter's `basePath`: the value for `baseUrlVariable`. */
  baseUrl: string;
  /** Every request received. */
  requests: FakeRequest[];
  /** Requests that found no scripted reply, and renderer failures. */
  failures: string[];
  /** Queues replies (a reply with `stall: true` never answers). */
  script(...replies: (ScriptedReply | { stall: true })[]): void;
  close(): Promise<void>;
}

/**
 * Starts the fake on `127.0.0.1` and a free port.
 *
 * @param adapter The plugin's fake adapter (`check.fake`).
 * @returns The running fake; `close()` it in `finally`.
 */
export function startPluginFake(adapter: FakeAdapter): PluginFake {
  const queue: (ScriptedReply | { stall: true })[] = [];
  const requests: FakeRequest[] = [];
  const failures: string[] = [];
  const closing = new AbortController();
  const render = adapter.render === "openai" ? renderOpenAIReply : adapter.render;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, signal: closing.signal },
    async (request) => {
      const text = await request.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const path = new URL(request.url).pathname;
      const recorded = { method: request.method, path, headers: request.headers, text, json };
      requests.push(recorded);
      const next = queue.shift();
      if (!next) {
        failures.push(`no scripted reply left for request #${requests.length} (${path})`);
        return new Response("plugin fake: no scripted reply left", { status: 500 });
      }
      if ("stall" in next) {
        await new Promise((resolve) => closing.signal.addEventListener("abort", resolve));
        return new Response("closed", { status: 503 });
      }
      try {
        return await render(next, recorded);
      } catch (error) {
        failures.push(`the fake adapter's render threw: ${error}`);
        return new Response("plugin fake: render failed", { status: 500 });
      }
    },
  );
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}${adapter.basePath ?? ""}`,
    requests,
    failures,
    script: (...replies) => void queue.push(...replies),
    async close() {
      closing.abort();
      await server.finished;
    },
  };
}
