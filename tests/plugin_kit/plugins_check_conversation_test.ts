/**
 * `plugins check`, honest: realistic placeholders or the author's sample environment, and a
 * scripted conversation against a loopback fake of the plugin's wire format (OpenAI-compatible
 * or the author's own renderer).
 */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { checkPlugin } from "../../lib/cli/commands/plugins_check.ts";
import { placeholder, PLACEHOLDER_KEY } from "../../lib/plugin_kit/sample_env.ts";

const KIT = new URL("../../lib/plugin_kit/mod.ts", import.meta.url).href;

async function withPlugin(source: string, fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_check_conv_" });
  try {
    await Deno.writeTextFile(`${dir}/p.ts`, source);
    await fn(`${dir}/p.ts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("placeholders look like what they stand for, and stay on loopback", () => {
  assertEquals(placeholder("MISTRAL_BASE_URL"), "http://127.0.0.1:9/v1");
  assertEquals(placeholder("OLLAMA_HOST"), "http://127.0.0.1:9");
  assertEquals(placeholder("MISTRAL_API_KEY"), PLACEHOLDER_KEY);
  assertEquals(placeholder("ACME_TOKEN"), PLACEHOLDER_KEY);
  assertEquals(placeholder("DEEPREPO_REQUEST_TIMEOUT_MS"), undefined);
  assertEquals(placeholder("ACME_TIMEOUT_MS"), undefined);
  assertEquals(placeholder("ACME_REGION"), "plugins-check-placeholder");
});

Deno.test("a plugin that validates its base URL and key passes; sampleEnv is used when declared", async () => {
  await withPlugin(
    `export default { name: "mistral", models: [{ id: "m", pricing: { input: 1, output: 1 } }],
      check: { sampleEnv: { MISTRAL_REGION: "eu" } },
      createClient(ctx) {
        new URL(ctx.env("MISTRAL_BASE_URL"));
        if (!/^sk-/.test(ctx.env("MISTRAL_API_KEY"))) throw new Error("key must start with sk-");
        if (ctx.env("MISTRAL_REGION") !== "eu") throw new Error("MISTRAL_REGION must be eu");
        return { complete: async () => ({ text: "x", toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 } }) };
      } };`,
    async (path) => {
      const check = await checkPlugin(path);
      assertEquals(check.problems, []);
      assertEquals(check.notes.at(-1), "no check.fake: the scripted conversation was skipped");
    },
  );
});

Deno.test("a createClient that rejects the placeholders says what it read", async () => {
  await withPlugin(
    `export default { name: "picky", models: [{ id: "m", pricing: { input: 1, output: 1 } }],
      createClient(ctx) { throw new Error("PICKY_REGION must be eu or us, got " + ctx.env("PICKY_REGION")); } };`,
    async (path) => {
      assertEquals((await checkPlugin(path)).problems, [
        'createClient({ model: "m" }) threw: PICKY_REGION must be eu or us, got ' +
        "plugins-check-placeholder (it read PICKY_REGION=plugins-check-placeholder; declare " +
        "check.sampleEnv if it needs particular values)",
      ]);
    },
  );
});

Deno.test("the scripted conversation catches a plugin that breaks the contract on the wire", async () => {
  // An OpenAI-compatible plugin written with the kit, but one that drops streamed text and
  // passes tool arguments on as a JSON string: both are caught, the first one stops the run.
  await withPlugin(
    `import { openAICompatible } from "${KIT}";
     const base = openAICompatible({ name: "sloppy", baseURL: "http://127.0.0.1:9/v1",
       models: [{ id: "s", pricing: { input: 0, output: 0 } }] });
     export default { ...base, createClient(ctx) {
       const inner = base.createClient(ctx);
       return { async complete(req) {
         const res = await inner.complete({ ...req, onText: undefined });
         return { ...res, toolCalls: res.toolCalls.map((c) => ({ ...c, input: JSON.stringify(c.input) })) };
       } };
     } };`,
    async (path) => {
      const check = await checkPlugin(path);
      assertEquals(check.problems.length, 1, check.problems.join("\n"));
      assertMatch(check.problems[0], /^conversation, tool call: tool input must be the parsed/);
    },
  );
});

Deno.test("a custom wire format runs the conversation through the author's own fake renderer", async () => {
  // "Lineproto": POST {prompt, tools, stream} → {"say": text, "calls": [...], "why": ..., "n_in", "n_out"};
  // streaming sends one line of JSON per piece.
  await withPlugin(
    `const WHY = { end: "done", tool_use: "call", max_tokens: "cut" };
     const STOP = { done: "end", call: "tool_use", cut: "max_tokens" };
     export default {
       name: "lineproto",
       models: [{ id: "lp-1", pricing: { input: 0, output: 0 } }],
       check: { fake: { baseUrlVariable: "LP_URL", render(reply, request) {
         const body = { say: reply.text, calls: reply.toolCalls, why: WHY[reply.stopReason],
           n_in: reply.usage.inputTokens, n_out: reply.usage.outputTokens };
         if (!request.json.stream) return Response.json(body);
         const pieces = reply.text.match(/.{1,5}/gs) ?? [];
         const lines = [...pieces.map((p) => JSON.stringify({ piece: p })), JSON.stringify({ ...body, say: "" })];
         return new Response(lines.join("\\n") + "\\n");
       } } },
       createClient(ctx) {
         const url = ctx.env("LP_URL");
         return { async complete(req) {
           const res = await fetch(url, { method: "POST", signal: req.signal,
             body: JSON.stringify({ messages: req.messages, tools: req.tools, stream: !!req.onText }) });
           if (!res.ok) throw Object.assign(new Error(await res.text()), { status: res.status });
           let text = "", last;
           if (req.onText) {
             for (const line of (await res.text()).trim().split("\\n")) {
               const m = JSON.parse(line);
               if (m.piece !== undefined) { text += m.piece; req.onText(m.piece); } else last = m;
             }
           } else { last = await res.json(); text = last.say; }
           return { text, toolCalls: last.calls, stopReason: STOP[last.why],
             usage: { inputTokens: last.n_in, outputTokens: last.n_out } };
         } };
       },
     };`,
    async (path) => {
      const check = await checkPlugin(path);
      assertEquals(check.problems, []);
      assertMatch(check.notes.join("; "), /scripted conversation passed \(tool call, tool result/);
    },
  );
});

Deno.test("the conversation reports a stop reason deeprepo does not know (the host accepts it)", async () => {
  await withPlugin(
    `import { openAICompatible } from "${KIT}";
     const base = openAICompatible({ name: "odd", baseURL: "http://127.0.0.1:9/v1",
       models: [{ id: "o", pricing: { input: 0, output: 0 } }] });
     export default { ...base, createClient(ctx) {
       const inner = base.createClient(ctx);
       return { complete: async (req) => ({ ...(await inner.complete(req)), stopReason: "eos" }) };
     } };`,
    async (path) => {
      assertEquals((await checkPlugin(path)).problems, [
        'conversation, tool call: stopReason "eos" is not one deeprepo knows',
      ]);
    },
  );
});
