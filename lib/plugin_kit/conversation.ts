/**
 * The scripted conversation `plugins check` runs through a plugin against its loopback fake:
 * a tool call, the tool's result going back, a streamed plain-text answer, and a reply cut off
 * by the output limit. Every reply passes deeprepo's own reply check on the way.
 *
 * @module
 */
import { wrapClient } from "../providers/mod.ts";
import { CUT_OFF_STOP_REASONS, KNOWN_STOP_REASONS } from "../providers/mod.ts";
import type {
  CompletionRequest,
  CompletionResponse,
  ModelClient,
  ProviderPlugin,
  ScriptedReply,
} from "../providers/mod.ts";
import { startPluginFake } from "./fake_server.ts";
import { sampleEnv } from "./sample_env.ts";

/** The tool the conversation offers (deeprepo's root model has the same one). */
export const CHECK_TOOL = {
  name: "execute_code",
  description: "Run JavaScript in the REPL",
  inputSchema: {
    type: "object",
    properties: { code: { type: "string" } },
    required: ["code"],
  },
};

const CALL = { id: "call_check_1", name: "execute_code", input: { code: "print(1 + 1)" } };

/** What the conversation found. */
export interface ConversationOutcome {
  /** Steps that passed, in order. */
  passed: string[];
  /** One line per problem; empty when the plugin passed. */
  problems: string[];
}

/**
 * Runs the conversation (see the module doc). Needs `plugin.check.fake`.
 *
 * @param plugin The plugin.
 * @param model The model id to create a client for.
 * @returns The steps passed and the problems found.
 */
export async function runScriptedConversation(
  plugin: ProviderPlugin,
  model: string,
): Promise<ConversationOutcome> {
  const adapter = plugin.check?.fake;
  if (!adapter) return { passed: [], problems: ["the plugin declares no check.fake"] };
  const fake = startPluginFake(adapter);
  const outcome: ConversationOutcome = { passed: [], problems: [] };
  try {
    const env = sampleEnv(plugin.check?.sampleEnv, { [adapter.baseUrlVariable]: fake.baseUrl });
    const client = wrapClient(plugin.createClient({ model, env: env.env }), {
      provider: plugin.name,
      model,
      timeoutMs: 10_000,
      policy: { retries: 0 },
    });
    for (const step of STEPS) {
      fake.script(step.reply);
      try {
        const problem = await step.run(client, () => fake.requests.at(-1)?.text ?? "");
        if (problem) outcome.problems.push(`conversation, ${step.name}: ${problem}`);
        else outcome.passed.push(step.name);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        outcome.problems.push(`conversation, ${step.name}: ${message.split("\n")[0]}`);
      }
      if (outcome.problems.length) break;
    }
    outcome.problems.push(...fake.failures.map((f) => `conversation: ${f}`));
  } finally {
    await fake.close();
  }
  return outcome;
}

interface Step {
  name: string;
  reply: ScriptedReply;
  /** Returns a problem, or undefined; `sent()` is the raw body of the last request. */
  run(client: ModelClient, sent: () => string): Promise<string | undefined>;
}

const reply = (r: Partial<ScriptedReply>): ScriptedReply => ({
  text: "",
  toolCalls: [],
  stopReason: "end",
  usage: { inputTokens: 50, outputTokens: 10 },
  ...r,
});

const ask = (extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  system: "You analyse code.",
  messages: [{ role: "user", content: "How many files are there?" }],
  tools: [CHECK_TOOL],
  maxTokens: 256,
  ...extra,
});

const STEPS: Step[] = [
  {
    name: "tool call",
    reply: reply({ toolCalls: [CALL], stopReason: "tool_use" }),
    async run(client) {
      const res = await client.complete(ask());
      const call = res.toolCalls[0];
      if (res.toolCalls.length !== 1 || call.name !== CALL.name) {
        return `expected one ${CALL.name} call, got ${JSON.stringify(res.toolCalls)}`;
      }
      if (JSON.stringify(call.input) !== JSON.stringify(CALL.input)) {
        return `tool input must be the parsed arguments ${JSON.stringify(CALL.input)}, got ` +
          JSON.stringify(call.input);
      }
      return stopProblem(res, ["tool_use", "tool_calls"]);
    },
  },
  {
    name: "tool result",
    reply: reply({ text: "There are 2 files.", usage: { inputTokens: 120, outputTokens: 8 } }),
    async run(client, sent) {
      const res = await client.complete(ask({
        messages: [
          { role: "user", content: "How many files are there?" },
          { role: "assistant", content: [{ type: "tool_call", ...CALL }] },
          { role: "user", content: [{ type: "tool_result", id: CALL.id, content: "2\n" }] },
        ],
      }));
      if (!sent().includes(CALL.id)) {
        return `the request did not send the tool call id ${CALL.id} back with its result`;
      }
      if (res.text !== "There are 2 files.") return `text ${JSON.stringify(res.text)}`;
      if (res.usage.inputTokens !== 120 || res.usage.outputTokens !== 8) {
        return `usage must be 120 in / 8 out, got ${res.usage.inputTokens} / ` +
          `${res.usage.outputTokens}`;
      }
      return stopProblem(res, ["end", "stop", "end_turn"]);
    },
  },
  {
    name: "streamed text",
    reply: reply({ text: "A plain answer, streamed in several pieces." }),
    async run(client) {
      const chunks: string[] = [];
      const res = await client.complete(ask({ onText: (t) => chunks.push(t) }));
      if (
        chunks.join("") !== res.text || res.text !== "A plain answer, streamed in several pieces."
      ) {
        return `onText received ${JSON.stringify(chunks.join(""))}, the reply text is ` +
          `${JSON.stringify(res.text)}; every piece of text must reach onText exactly once`;
      }
      return stopProblem(res, ["end", "stop", "end_turn"]);
    },
  },
  {
    name: "cut-off reply",
    reply: reply({ text: "This answer stops in the mid", stopReason: "max_tokens" }),
    async run(client) {
      const res = await client.complete(ask({ maxTokens: 8 }));
      if (!CUT_OFF_STOP_REASONS.has(res.stopReason ?? "")) {
        return `a reply cut by the output limit must have stopReason "max_tokens", got ` +
          JSON.stringify(res.stopReason ?? null);
      }
      return undefined;
    },
  },
];

/** A problem when the stop reason is unknown or not one of `expected` (absent is allowed). */
function stopProblem(res: CompletionResponse, expected: string[]): string | undefined {
  const stop = res.stopReason;
  if (stop === undefined) return undefined;
  if (!KNOWN_STOP_REASONS.has(stop)) {
    return `stopReason ${JSON.stringify(stop)} is not one deeprepo knows`;
  }
  if (!expected.includes(stop)) {
    return `stopReason must be "${expected[0]}", got ${JSON.stringify(stop)}`;
  }
  return undefined;
}
