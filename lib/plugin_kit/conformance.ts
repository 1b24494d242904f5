/**
 * The offline conformance suite for one plugin: the checks the built-in plugins pass, run
 * through deeprepo's real host path (the plugin loaded as `--plugin` loads it, its client
 * wrapped with retries, deadlines and the reply check) against a loopback fake of the plugin's
 * wire format (`check.fake`: `"openai"` for OpenAI-compatible APIs, or the author's renderer).
 *
 * In the plugin's repository, one test file:
 * ```ts ignore
 * import { conformanceSuite } from "<deeprepo>/lib/plugin_kit/conformance.ts";
 * conformanceSuite({ plugin: new URL("./my_provider.ts", import.meta.url).href });
 * ```
 * and `deno test --allow-all`.
 *
 * @module
 */
import { envFromRecord } from "../config/env.ts";
import { EnvironmentError, RunError } from "../errors.ts";
import { loadRegistry, type RetryInfo } from "../providers/mod.ts";
import type {
  CompletionRequest,
  FakeAdapter,
  ModelClient,
  ProviderPlugin,
  ScriptedReply,
} from "../providers/mod.ts";
import { runScriptedConversation } from "./conversation.ts";
import { type PluginFake, startPluginFake } from "./fake_server.ts";
import { sampleEnv } from "./sample_env.ts";

/** What {@linkcode conformanceSuite} needs. */
export interface ConformanceOptions {
  /** Absolute path or URL of the plugin module. */
  plugin: string;
  /** The model to test. @default the plugin's first listed id */
  model?: string;
  /** Extra variables (the fake's URL, fast retries and the sample environment are set). */
  env?: Record<string, string>;
  /** The fake to run against. @default the plugin's `check.fake` */
  fake?: FakeAdapter;
  /** Prefix of the test names. @default the plugin's file name */
  name?: string;
}

/** One test's tools: the client, the fake, the retries seen. */
interface Bench {
  client: ModelClient;
  fake: PluginFake;
  retries: RetryInfo[];
  plugin: ProviderPlugin;
}

const ASK: CompletionRequest = {
  system: "You are terse.",
  messages: [{ role: "user", content: "2+2?" }],
  maxTokens: 64,
};

const text = (t: string): ScriptedReply => ({
  text: t,
  toolCalls: [],
  stopReason: "end",
  usage: { inputTokens: 10, outputTokens: 2 },
});

const failure = (status: number, message: string, more: Partial<ScriptedReply["error"]> = {}) => ({
  ...text(""),
  error: { status, message, ...more },
});

/**
 * Registers the suite's tests with `Deno.test`.
 *
 * @param options The plugin and how to reach its fake.
 */
export function conformanceSuite(options: ConformanceOptions): void {
  const prefix = options.name ?? options.plugin.split("/").at(-1) ?? options.plugin;
  const test = (name: string, fn: (bench: Bench) => Promise<void>, env = {}) =>
    Deno.test(`${prefix}: ${name}`, () => withBench(options, fn, env));

  test("scripted conversation: tool call, tool result, streamed text, cut-off reply", async (b) => {
    const outcome = await runScriptedConversation(
      { ...b.plugin, check: { ...b.plugin.check, fake: options.fake ?? b.plugin.check?.fake } },
      options.model ?? b.plugin.models[0]?.id ?? "any-model",
    );
    expect(outcome.problems.length === 0, outcome.problems.join("\n"));
  });

  test("retries 429 (honouring retry-after-ms) and 503, reporting each retry", async (b) => {
    b.fake.script(failure(429, "slow down", { retryAfterMs: 5 }), failure(503, "busy"), text("ok"));
    const res = await b.client.complete(ASK);
    expect(res.text === "ok", `text ${JSON.stringify(res.text)}`);
    const reasons = b.retries.map((r) => r.reason).join(", ");
    expect(reasons === "status 429, status 503", `retries: ${reasons}`);
    expect(b.retries[0].delayMs === 5, `the first wait was ${b.retries[0].delayMs} ms, not 5`);
  });

  test("gives up after 3 retries with the API's message and status", async (b) => {
    for (let i = 0; i < 4; i++) b.fake.script(failure(500, "upstream exploded"));
    const error = await rejects(() => b.client.complete(ASK));
    expect(error instanceof RunError, `not a RunError: ${error}`);
    const message = (error as Error).message;
    expect(message.includes("upstream exploded"), `message lacks the API's: ${message}`);
    expect(message.endsWith("(status 500)"), `message lacks the status: ${message}`);
    expect(b.fake.requests.length === 4, `${b.fake.requests.length} requests, not 4`);
  });

  test("fails at once on a 400", async (b) => {
    b.fake.script(failure(400, "max_tokens too large"));
    const error = await rejects(() => b.client.complete(ASK));
    expect(String(error).includes("max_tokens too large"), String(error));
    expect(b.retries.length === 0, `retried ${b.retries.length} times`);
  });

  test("an error inside a 200 reply or stream is retried, never an empty answer", async (b) => {
    const inBody = failure(502, "provider disconnected", { inBody: true });
    b.fake.script({ ...inBody, text: "half an answer" }, text("second try"));
    expect((await b.client.complete(ASK)).text === "second try", "JSON: not retried");
    b.fake.script({ ...inBody, text: "half an answer" }, text("streamed again"));
    const streamed = await b.client.complete({ ...ASK, onText: () => {} });
    expect(streamed.text === "streamed again", "stream: not retried");
    expect(b.retries.length === 2, `${b.retries.length} retries, not 2`);
  });

  test("a stalled request times out and is retried", async (b) => {
    b.fake.script({ stall: true }, text("after stall"));
    expect((await b.client.complete(ASK)).text === "after stall", "no reply after the stall");
    const reasons = b.retries.map((r) => r.reason).join(", ");
    expect(reasons === "timeout", `retries: ${reasons}`);
  }, { DEEPREPO_REQUEST_TIMEOUT_MS: "300" });

  test("an abort during a call rejects with the signal's reason", async (b) => {
    b.fake.script({ stall: true });
    const controller = new AbortController();
    const reason = new Error("stop now");
    const pending = b.client.complete({ ...ASK, signal: controller.signal });
    while (b.fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(reason);
    expect((await rejects(() => pending)) === reason, "rejected with something else");
  });

  test("a missing key is an environment error naming the variable", async (b) => {
    if (!b.plugin.keyVariable) return;
    const registry = await loadRegistry({
      cwd: Deno.cwd(),
      env: envFromRecord({ ...options.env, [b.plugin.keyVariable]: undefined }),
      plugins: [options.plugin],
      builtins: [],
    });
    const model = modelOf(options, b.plugin);
    const error = await rejects(() =>
      Promise.resolve().then(() => registry.resolve(model).createClient())
    );
    expect(error instanceof EnvironmentError, `not an EnvironmentError: ${error}`);
    expect(String(error).includes(b.plugin.keyVariable), String(error));
  });
}

async function withBench(
  options: ConformanceOptions,
  fn: (bench: Bench) => Promise<void>,
  extra: Record<string, string>,
): Promise<void> {
  const probe = await loadRegistry({
    cwd: Deno.cwd(),
    env: envFromRecord({}),
    plugins: [options.plugin],
    builtins: [],
  });
  if (probe.errors.length) throw new Error(probe.errors.map((e) => e.message).join("\n"));
  const plugin = probe.plugins.at(-1)!;
  const adapter = options.fake ?? plugin.check?.fake;
  if (!adapter) {
    throw new Error(
      `plugin ${plugin.name} declares no check.fake; pass conformanceSuite({ fake }) or set it`,
    );
  }
  const fake = startPluginFake(adapter);
  try {
    const sample = sampleEnv(plugin.check?.sampleEnv);
    const variables = [plugin.keyVariable].filter((v): v is string => !!v);
    const env = envFromRecord({
      ...Object.fromEntries(variables.map((v) => [v, sample.env(v) ?? ""])),
      ...plugin.check?.sampleEnv,
      DEEPREPO_RETRY_BASE_MS: "1",
      DEEPREPO_REQUEST_TIMEOUT_MS: "5000",
      ...options.env,
      ...extra,
      [adapter.baseUrlVariable]: fake.baseUrl,
    });
    const registry = await loadRegistry({
      cwd: Deno.cwd(),
      env,
      plugins: [options.plugin],
      builtins: [],
    });
    const retries: RetryInfo[] = [];
    const client = registry.resolve(modelOf(options, plugin)).createClient({
      onRetry: (r) => retries.push(r),
    });
    await fn({ client, fake, retries, plugin });
    expect(fake.failures.length === 0, fake.failures.join("\n"));
  } finally {
    await fake.close();
  }
}

function modelOf(options: ConformanceOptions, plugin: ProviderPlugin): string {
  return `${plugin.name}:${options.model ?? plugin.models[0]?.id ?? "any-model"}`;
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function rejects(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, it succeeded");
}
