/**
 * The fake model server against the providers' published pages: one test per published rule,
 * each over real HTTP on loopback, checking that the fake refuses what the real API refuses
 * (same status, same error body shape) and accepts what it allows.
 *
 * Pages were read on 2026-12-05 through the stored copies of the search tool (docs corpus).
 * Where a page gives a rule but not the exact error text, the test checks status and body
 * shape only. A rule the fake does not follow yet is `ignore: true` with the mismatch named.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { type FakeServer, startFakeModelServer } from "./model_server.ts";

type Json = Record<string, unknown>;
type ErrorBody = { type?: string; error: { type?: string; message: string; param?: string } };

const MESSAGES = "/v1/messages";
const CHAT = "/v1/chat/completions";
const RESPONSES = "/v1/responses";
const OPENROUTER_CHAT = "/api/v1/chat/completions";

const TOOLS_ANTHROPIC = [{ name: "f", input_schema: { type: "object" } }];
const TOOLS_CHAT = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];
const TOOLS_RESPONSES = [{ type: "function", name: "f", parameters: { type: "object" } }];

/** Runs `fn` against a fake that answers every accepted request with a short text. */
async function withFake(fn: (post: Post, server: FakeServer) => Promise<void>) {
  const server = await startFakeModelServer({ handler: () => ({ text: "ok" }) });
  try {
    const post: Post = async (path, body) => {
      const res = await fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    await fn(post, server);
    server.assertNoFailures();
  } finally {
    await server.close();
  }
}

type Post = (path: string, body: Json) => Promise<{ status: number; body: Json }>;

/** A Messages request: one user turn, plus `extra`. */
const claude = (model: string, extra: Json = {}): Json => ({
  model,
  max_tokens: 1_000,
  messages: [{ role: "user", content: "x" }],
  ...extra,
});

/** Asserts Anthropic's 400 body: `{type: "error", error: {type: "invalid_request_error"}}`. */
function assertAnthropic400(res: { status: number; body: Json }, includes?: string) {
  assertEquals(res.status, 400, JSON.stringify(res.body));
  const body = res.body as ErrorBody;
  assertEquals(body.type, "error");
  assertEquals(body.error.type, "invalid_request_error");
  if (includes) assertStringIncludes(body.error.message, includes);
}

/** Asserts OpenAI's 400 body: `{error: {message, type: "invalid_request_error", param, code}}`. */
function assertOpenAI400(res: { status: number; body: Json }, param: string) {
  assertEquals(res.status, 400, JSON.stringify(res.body));
  const body = res.body as ErrorBody;
  assertEquals(Object.keys(body.error).sort(), ["code", "message", "param", "type"]);
  assertEquals(body.error.type, "invalid_request_error");
  assertEquals(body.error.param, param);
}

// --- Anthropic -------------------------------------------------------------------------------

// "Claude Opus 5.5 migration guide" / "What's new in Claude Opus 5.5"
// (platform.claude.com/docs/en/models/opus-5-5/whats-new-opus-5-5; Opus 5.5 released 2026-09-22):
// "Forced tool use returns an error". "Claude Sonnet 5.5 migration guide"
// (platform.claude.com/docs/en/models/sonnet-5-5/migration-guide; released 2026-09-28): forced
// tool choice is one of five settings that return a 400.
Deno.test("published: Opus 5.5 and Sonnet 5.5 refuse forced tool choice (any, tool) with a 400 and accept auto", async () => {
  await withFake(async (post) => {
    for (const model of ["claude-opus-5-5", "claude-sonnet-5-5"]) {
      for (const choice of [{ type: "any" }, { type: "tool", name: "f" }]) {
        assertAnthropic400(
          await post(MESSAGES, claude(model, { tools: TOOLS_ANTHROPIC, tool_choice: choice })),
          "tool_choice",
        );
      }
      const auto = claude(model, { tools: TOOLS_ANTHROPIC, tool_choice: { type: "auto" } });
      assertEquals((await post(MESSAGES, auto)).status, 200);
    }
  });
});

// "What's new in Claude Opus 5.5": forced tool use returning an error is a *breaking change*
// for code "already running on Claude Opus 5"; apidog "Claude Sonnet 5.5 vs Sonnet 5" (secondary,
// quoting Anthropic's pages): forced tool_choice "supported" on Sonnet 5, "400" on Sonnet 5.5.
// Fixed: the fake refused it on claude-opus-5 / claude-sonnet-5.
Deno.test("published: Opus 5 and Sonnet 5 accept forced tool choice", async () => {
  await withFake(async (post) => {
    for (const model of ["claude-opus-5", "claude-sonnet-5"]) {
      const res = await post(
        MESSAGES,
        claude(model, { tools: TOOLS_ANTHROPIC, tool_choice: { type: "any" } }),
      );
      assertEquals(res.status, 200, JSON.stringify(res.body));
    }
  });
});

// Sonnet 5.5 migration guide (sampling parameters return 400); "What's new in Claude Haiku 5.5"
// (platform.claude.com/docs/en/models/haiku-5-5/whats-new-haiku-5-5): "Non-default sampling
// parameters return an error"; Opus 5.5 migration guide (same 400 list, via Sonnet 5 / Opus 5);
// Sonnet 5 overview (platform.claude.com/docs/zh-CN/models/sonnet-5/overview): non-default
// temperature / top_p / top_k return 400.
Deno.test("published: Claude 5.x refuse non-default temperature, top_p and top_k with a 400", async () => {
  await withFake(async (post) => {
    const models = [
      "claude-opus-5-5",
      "claude-sonnet-5-5",
      "claude-haiku-5-5",
      "claude-opus-5",
      "claude-sonnet-5",
    ];
    for (const model of models) {
      for (const [key, value] of [["temperature", 0.2], ["top_p", 0.5], ["top_k", 5]] as const) {
        assertAnthropic400(await post(MESSAGES, claude(model, { [key]: value })), key);
      }
    }
    // Claude Haiku 4.5 takes them (its rules allow sampling).
    assertEquals(
      (await post(MESSAGES, claude("claude-haiku-4-5", { temperature: 0.2 }))).status,
      200,
    );
  });
});

// Same pages: only *non-default* values are refused on Sonnet 5 and Haiku 5.5. The fake
// refuses every value, the default one (temperature 1) included. Open: deeprepo sends no
// sampling parameters, and the pages do not name the default of top_p / top_k.
Deno.test({
  name: "published: Sonnet 5 and Haiku 5.5 accept sampling parameters at their default value",
  ignore: true,
  fn: async () => {
    await withFake(async (post) => {
      for (const model of ["claude-sonnet-5", "claude-haiku-5-5"]) {
        assertEquals((await post(MESSAGES, claude(model, { temperature: 1 }))).status, 200);
      }
    });
  },
});

// Sonnet 5.5 migration guide (assistant prefill returns 400); Haiku 5.5 migration guide
// (platform.claude.com/docs/models/haiku-5-5/migration-guide): "end with a user turn"; the error
// text "This model does not support assistant message prefill. The conversation must end with a
// user message." (Anthropic errors page, as quoted by developersdigest.tech "400
// invalid_request_error").
Deno.test("published: Claude 5.5 refuse an assistant prefill with Anthropic's message", async () => {
  await withFake(async (post) => {
    for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"]) {
      const prefill = claude(model, {
        messages: [{ role: "user", content: "x" }, { role: "assistant", content: "{" }],
      });
      assertAnthropic400(
        await post(MESSAGES, prefill),
        "This model does not support assistant message prefill. The conversation must end " +
          "with a user message.",
      );
    }
  });
});

// "What's new in Claude Opus 5.5" (zh-CN / ja copies give the English error texts): disabled and
// enabled+budget_tokens return 400 invalid_request_error with
// "\"thinking.type.disabled\" is not supported for this model. Use \"thinking.type.adaptive\" and
// \"output_config.effort\" to control thinking behavior." (and the same for enabled).
// Haiku 5.5 migration guide: budgets return 400. Sonnet 5 overview: manual extended thinking 400.
Deno.test("published: Claude 5.x refuse thinking budgets; Opus 5.5 refuses disabled thinking; exact messages", async () => {
  await withFake(async (post) => {
    const budget = { type: "enabled", budget_tokens: 500 };
    for (
      const model of [
        "claude-opus-5-5",
        "claude-sonnet-5-5",
        "claude-haiku-5-5",
        "claude-opus-5",
        "claude-sonnet-5",
      ]
    ) {
      const res = await post(MESSAGES, claude(model, { thinking: budget }));
      assertAnthropic400(res);
      assertEquals(
        (res.body as ErrorBody).error.message,
        '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" ' +
          'and "output_config.effort" to control thinking behavior.',
      );
    }
    const res = await post(MESSAGES, claude("claude-opus-5-5", { thinking: { type: "disabled" } }));
    assertAnthropic400(res);
    assertEquals(
      (res.body as ErrorBody).error.message,
      '"thinking.type.disabled" is not supported for this model. Use "thinking.type.adaptive" ' +
        'and "output_config.effort" to control thinking behavior.',
    );
    const adaptive = claude("claude-opus-5-5", { thinking: { type: "adaptive" } });
    assertEquals((await post(MESSAGES, adaptive)).status, 200);
  });
});

// "What's new in Claude Sonnet 5.5" (zh-CN / zh-TW copies): disabled returns 400
// invalid_request_error "whose message points to between_tools"; between_tools works at low,
// medium and high effort and returns 400 at xhigh or max. Fixed: the fake accepted
// between_tools at every effort and its message did not name between_tools.
Deno.test("published: Sonnet 5.5 turns up-front thinking off with between_tools (low…high), refuses disabled", async () => {
  await withFake(async (post) => {
    const model = "claude-sonnet-5-5";
    assertAnthropic400(
      await post(MESSAGES, claude(model, { thinking: { type: "disabled" } })),
      "between_tools",
    );
    for (const effort of ["low", "medium", "high"]) {
      const ok = claude(model, {
        thinking: { type: "between_tools" },
        output_config: { effort },
      });
      assertEquals((await post(MESSAGES, ok)).status, 200, effort);
    }
    for (const effort of ["xhigh", "max"]) {
      const refused = claude(model, {
        thinking: { type: "between_tools" },
        output_config: { effort },
      });
      assertAnthropic400(await post(MESSAGES, refused));
    }
  });
});

// "What's new in Claude Opus 5.5": "On Claude Opus 5, thinking is on by default and
// thinking: {type: disabled} is accepted at effort high or below". "Prompting Claude Haiku 5.5"
// (platform.claude.com/docs/zh-CN/build-with-claude/prompt-engineering/prompting-claude-haiku-5-5):
// disabled works only at low, medium and high; at xhigh and max the request returns 400.
// apidog "Claude Sonnet 5.5 vs Sonnet 5" (secondary): Sonnet 5 accepts "adaptive, disabled".
// Fixed: the fake refused disabled on all three and still returned thinking blocks.
Deno.test("published: Haiku 5.5 and Opus 5 accept disabled thinking at effort high or below; Sonnet 5 accepts it", async () => {
  await withFake(async (post) => {
    for (const model of ["claude-haiku-5-5", "claude-opus-5"]) {
      for (const effort of [undefined, "low", "medium", "high"]) {
        const res = await post(
          MESSAGES,
          claude(model, {
            thinking: { type: "disabled" },
            ...(effort ? { output_config: { effort } } : {}),
          }),
        );
        assertEquals(res.status, 200, `${model} ${effort}`);
        const content = res.body.content as { type: string }[];
        assertEquals(content.map((b) => b.type), ["text"], "no thinking block when disabled");
      }
      for (const effort of ["xhigh", "max"]) {
        assertAnthropic400(
          await post(
            MESSAGES,
            claude(model, { thinking: { type: "disabled" }, output_config: { effort } }),
          ),
          "thinking.type.disabled",
        );
      }
    }
    const sonnet5 = claude("claude-sonnet-5", { thinking: { type: "disabled" } });
    assertEquals((await post(MESSAGES, sonnet5)).status, 200);
  });
});

// Effort page levels (low, medium, high, xhigh, max) as listed in the Sonnet 5.5 / Opus 5.5
// pages and the Haiku 5.5 prompting page ("low … medium … high … xhigh and max"). Claude
// Haiku 4.5 has no effort (Sonnet 5 overview comparison row: "Extended" thinking, effort "—").
// The exact refusal text for an unknown level is not published: status and shape only.
Deno.test("published: Claude 5.x take output_config.effort low…max (xhigh included); other values are refused", async () => {
  await withFake(async (post) => {
    for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"]) {
      for (const effort of ["low", "medium", "high", "xhigh", "max"]) {
        const res = await post(MESSAGES, claude(model, { output_config: { effort } }));
        assertEquals(res.status, 200, `${model} ${effort}`);
      }
      assertAnthropic400(
        await post(MESSAGES, claude(model, { output_config: { effort: "none" } })),
      );
    }
  });
});

// Model pages (Opus 5.5 / Sonnet 5.5 / Haiku 5.5 / Sonnet 5 overviews): max output 128K tokens
// (300K only on the Batch API). The refusal text is Anthropic's usual one for max_tokens; it is
// not on these pages. Fixed: the fake accepted any max_tokens.
Deno.test("published: Claude 5.x refuse max_tokens above 128,000 and accept 128,000", async () => {
  await withFake(async (post) => {
    for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"]) {
      assertEquals((await post(MESSAGES, claude(model, { max_tokens: 128_000 }))).status, 200);
      assertAnthropic400(
        await post(MESSAGES, claude(model, { max_tokens: 128_001 })),
        "max_tokens",
      );
    }
  });
});

// "Preserved thinking" / "Fix a thinking block bound to a different conversation"
// (platform.claude.com/docs/en/build-with-claude/preserved-thinking/fix-bound-to-a-different-conversation;
// supported models include claude-opus-5-5, claude-sonnet-5-5, claude-haiku-5-5): a thinking
// block whose prefix changed, or one dropped between others, gets a 400 with
// "messages.1.content.0: Invalid `signature` in `thinking` block. The block is bound to a
// different conversation. Remove the block, or set
// `thinking.block_binding.prefix_mismatch_behavior` to \"drop_block\"."
Deno.test("published: Claude 5.5 thinking blocks go back unchanged; a changed prefix gets the published 400", async () => {
  await withFake(async (post, server) => {
    for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"]) {
      server.enqueueFor(model, {
        thinking: "plan",
        toolCalls: [{ name: "f", input: {} }],
      });
      const first = await post(MESSAGES, claude(model, { tools: TOOLS_ANTHROPIC }));
      assertEquals(first.status, 200);
      const content = first.body.content as Json[];
      assertEquals(content[0].type, "thinking");
      const id = content.find((b) => b.type === "tool_use")!.id;
      const result = {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: id, content: "1" }],
      };
      const history = (user: string) => [
        { role: "user", content: user },
        { role: "assistant", content },
        result,
      ];
      const unchanged = claude(model, { tools: TOOLS_ANTHROPIC, messages: history("x") });
      assertEquals((await post(MESSAGES, unchanged)).status, 200, "sent back as received");
      // The first user turn edited after the thinking block was produced.
      const edited = claude(model, { tools: TOOLS_ANTHROPIC, messages: history("y") });
      const res = await post(MESSAGES, edited);
      assertAnthropic400(res);
      assertEquals(
        (res.body as ErrorBody).error.message,
        "messages.1.content.0: Invalid `signature` in `thinking` block. The block is bound to a " +
          "different conversation. Remove the block, or set " +
          '`thinking.block_binding.prefix_mismatch_behavior` to "drop_block".',
      );
      // The thinking block dropped from the turn.
      const dropped = claude(model, {
        tools: TOOLS_ANTHROPIC,
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", content: content.slice(1) },
          result,
        ],
      });
      assertAnthropic400(await post(MESSAGES, dropped), "bound to a different conversation");
    }
  });
});

// --- OpenAI ----------------------------------------------------------------------------------

const gpt = (model: string, extra: Json = {}): Json => ({
  model,
  max_completion_tokens: 1_000,
  messages: [{ role: "user", content: "x" }],
  ...extra,
});

// OpenAI's GPT-6 Luna page (developers.openai.com/api/docs/models/gpt-6-luna, quoted by
// docs.oxen.ai "GPT 6 Luna" and apache/flink-agents#1462): "Chat Completions supports function
// calling only with reasoning_effort set to none". The API's body for this family
// (itzcrazykns/vane#1173, gpt-5.6-luna): message "Function tools with reasoning_effort are not
// supported for <model> in /v1/chat/completions. To use function tools, use /v1/responses or set
// reasoning_effort to 'none'.", type invalid_request_error, param reasoning_effort, code null.
Deno.test("published: GPT-6 Sol / Luna take Chat Completions tools only with reasoning_effort none", async () => {
  await withFake(async (post) => {
    for (const model of ["gpt-6-sol", "gpt-6-luna"]) {
      for (const effort of [undefined, "low", "high"]) {
        const res = await post(
          CHAT,
          gpt(model, { tools: TOOLS_CHAT, ...(effort ? { reasoning_effort: effort } : {}) }),
        );
        assertOpenAI400(res, "reasoning_effort");
        assertEquals(
          (res.body as ErrorBody).error.message,
          `Function tools with reasoning_effort are not supported for ${model} in ` +
            "/v1/chat/completions. To use function tools, use /v1/responses or set " +
            "reasoning_effort to 'none'.",
        );
        assertEquals((res.body as { error: { code: unknown } }).error.code, null);
      }
      const none = gpt(model, { tools: TOOLS_CHAT, reasoning_effort: "none" });
      assertEquals((await post(CHAT, none)).status, 200);
      const responses = {
        model,
        input: "x",
        tools: TOOLS_RESPONSES,
        reasoning: { effort: "high" },
      };
      assertEquals((await post(RESPONSES, responses)).status, 200);
    }
  });
});

// LiteLLM discussion #43742 "GPT-6.1 Sol is now supported" and the dev.to/apidog "How to use
// GPT-6.1 Sol API" (quoting OpenAI's GPT-6.1 Sol page; Sol 6.1 shipped 2026-09-29): tool calling
// is served on the Responses API only; reasoning effort none and minimal are not accepted
// (OpenAI's GPT-6.2 Sol page, same family: "The API rejects requests that set reasoning effort to
// none"). GPT-6.1 Terra page (developers.openai.com/zh-Hans/api/docs/models/gpt-6.1-terra, per
// docs/MODELS.md P2): "tool calls require the Responses API". Exact Chat refusal text is not
// published: status and OpenAI's body shape only.
Deno.test("published: GPT-6.1 Sol / Terra refuse tools in Chat Completions and take them in Responses; Sol refuses effort none", async () => {
  await withFake(async (post) => {
    for (const model of ["gpt-6.1-sol", "gpt-6.1-terra"]) {
      assertOpenAI400(
        await post(CHAT, gpt(model, { tools: TOOLS_CHAT, reasoning_effort: "low" })),
        "tools",
      );
      const responses = { model, input: "x", tools: TOOLS_RESPONSES, reasoning: { effort: "low" } };
      assertEquals((await post(RESPONSES, responses)).status, 200);
    }
    for (const effort of ["none", "minimal"]) {
      assertOpenAI400(
        await post(RESPONSES, { model: "gpt-6.1-sol", input: "x", reasoning: { effort } }),
        "reasoning_effort",
      );
    }
    const max = { model: "gpt-6.1-sol", input: "x", reasoning: { effort: "max" } };
    assertEquals((await post(RESPONSES, max)).status, 200);
  });
});

// docs.laozhang.ai "GPT-6 chat tools" (2026-11-04, a proxy's notes on OpenAI's behaviour,
// secondary): "in Chat Completions, gpt-6.1-sol goes up to xhigh; use Responses for max". The
// fake accepts max in Chat Completions. Open: secondary source only, and deeprepo sends every
// GPT-6.1 Sol request to /v1/responses.
Deno.test({
  name: "published: GPT-6.1 Sol refuses effort max in Chat Completions",
  ignore: true,
  fn: async () => {
    await withFake(async (post) => {
      assertOpenAI400(
        await post(CHAT, gpt("gpt-6.1-sol", { reasoning_effort: "max" })),
        "reasoning_effort",
      );
    });
  },
});

// OpenAI Chat Completions reference: max_tokens is deprecated and not compatible with reasoning
// models; they take max_completion_tokens ("Unsupported parameter: 'max_tokens' is not supported
// with this model. Use 'max_completion_tokens' instead.", code unsupported_parameter). The GPT-6
// pages list 128,000 max output tokens (GPT-6.2 Sol page; Vercel / Runware GPT-6 Luna pages).
// Fixed: the fake accepted limits above 128,000.
Deno.test("published: GPT-6 refuse max_tokens in Chat Completions and limits above 128,000", async () => {
  await withFake(async (post) => {
    const chat = {
      model: "gpt-6-luna",
      max_tokens: 100,
      messages: [{ role: "user", content: "x" }],
    };
    const res = await post(CHAT, chat);
    assertOpenAI400(res, "max_tokens");
    assertEquals((res.body as { error: { code: unknown } }).error.code, "unsupported_parameter");
    assertEquals(
      (await post(CHAT, gpt("gpt-6-luna", { max_completion_tokens: 128_000 }))).status,
      200,
    );
    assertOpenAI400(
      await post(CHAT, gpt("gpt-6-luna", { max_completion_tokens: 128_001 })),
      "max_tokens",
    );
    assertOpenAI400(
      await post(RESPONSES, { model: "gpt-6.1-sol", input: "x", max_output_tokens: 200_000 }),
      "max_output_tokens",
    );
  });
});

// docs.laozhang.ai "GPT-6 chat tools" and LiteLLM #43742 (secondary, restating OpenAI's GPT-6
// launch notes): "unless reasoning effort is none, leave out temperature, top_p"; GPT-6.1 Sol has
// no effort none, "so temperature is not available".
Deno.test("published: GPT-6 take temperature / top_p only with reasoning effort none", async () => {
  await withFake(async (post) => {
    for (const key of ["temperature", "top_p"]) {
      assertOpenAI400(await post(CHAT, gpt("gpt-6-luna", { [key]: 0.5 })), key);
      const none = gpt("gpt-6-luna", { [key]: 0.5, reasoning_effort: "none" });
      assertEquals((await post(CHAT, none)).status, 200);
    }
  });
});

// --- OpenRouter ------------------------------------------------------------------------------

// OpenRouter "Errors and Debugging" (openrouter.ai/docs/api/reference/errors-and-debugging):
// errors are `{error: {code, message, metadata?}}` with the HTTP status equal to `code`.
// MiniMax M2.5 on OpenRouter (musistudio/claude-code-router#1215, 2026-02-15; the same body for
// other mandatory-reasoning endpoints in #1238): reasoning off → 400 "Reasoning is mandatory for
// this endpoint and cannot be disabled." with `metadata.provider_name`. OpenRouter "Reasoning
// Tokens" page: `reasoning.enabled` / `reasoning.effort` ("none" among the values). Fixed: the
// fake sent OpenAI's shape (type, param) instead of OpenRouter's.
Deno.test("published: minimax/minimax-m2.5 refuses reasoning off with OpenRouter's error shape", async () => {
  await withFake(async (post) => {
    const base = { model: "minimax/minimax-m2.5", messages: [{ role: "user", content: "x" }] };
    for (const reasoning of [{ enabled: false }, { effort: "none" }]) {
      const res = await post(OPENROUTER_CHAT, { ...base, reasoning });
      assertEquals(res.status, 400);
      assertEquals(res.body, {
        error: {
          message: "Reasoning is mandatory for this endpoint and cannot be disabled.",
          code: 400,
          metadata: { provider_name: null },
        },
      });
    }
    const on = await post(OPENROUTER_CHAT, { ...base, reasoning: { effort: "low" } });
    assertEquals(on.status, 200);
    assertEquals((await post(OPENROUTER_CHAT, base)).status, 200);
  });
});

// OpenRouter "Reasoning Tokens" (openrouter.ai/docs/use-cases/reasoning-tokens): reasoning comes
// back in the message (`reasoning`, `reasoning_details`) and, for tool-calling models, is to be
// passed back with the assistant turn; the API does not refuse a turn without it (the model loses
// its reasoning). The fake accepts both and records the drop.
Deno.test("published: minimax reasoning_details come back in the reply; dropping them is accepted but recorded", async () => {
  await withFake(async (post, server) => {
    const model = "minimax/minimax-m2.5";
    server.enqueueFor(model, { thinking: "plan", toolCalls: [{ name: "f", input: {} }] });
    const base = { model, tools: TOOLS_CHAT, messages: [{ role: "user", content: "x" }] };
    const first = await post(OPENROUTER_CHAT, base);
    assertEquals(first.status, 200);
    const message = (first.body.choices as { message: Json }[])[0].message;
    assert(Array.isArray(message.reasoning_details) && message.reasoning_details.length > 0);
    const call = (message.tool_calls as { id: string }[])[0];
    const result = { role: "tool", tool_call_id: call.id, content: "1" };
    const kept = { ...base, messages: [...base.messages, message, result] };
    assertEquals((await post(OPENROUTER_CHAT, kept)).status, 200);
    assertEquals(server.droppedReasoning, []);
    const { reasoning_details: _, reasoning: __, ...bare } = message;
    const dropped = { ...base, messages: [...base.messages, bare, result] };
    assertEquals((await post(OPENROUTER_CHAT, dropped)).status, 200);
    assertEquals(server.droppedReasoning, [`${model}: ${call.id}`]);
  });
});
