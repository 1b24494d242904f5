/**
 * analyze and baseline with the default models against the fake that follows the published
 * rules (refuses forced tool use, sampling and dropped thinking on Claude 5.5; reasoning inside
 * the output limit on the sub-model): every scenario ends with exit 0 and no refused request.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import {
  type FakeServer,
  type RecordedRequest,
  type ScriptedResponse,
  startFakeModelServer,
} from "../fakes/model_server.ts";

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

function turnOf(req: RecordedRequest): number {
  const messages = (req.body.messages ?? []) as { role: string }[];
  return messages.filter((m) => m.role === "assistant").length + 1;
}

const call = (code: string, thinking = "Planning the next step."): ScriptedResponse => ({
  thinking,
  toolCalls: [{ name: "execute_code", input: { code } }],
});

const DISPATCH = "globalThis.r = await llm_batch(Object.keys(codebase).map((p) => " +
  "'Review ' + p + '\\n' + codebase[p])); print(r.length);";

interface Outcome {
  code: number;
  stderr: string;
  metrics: Record<string, unknown>;
  report: string;
}

async function scenario(
  script: (req: RecordedRequest) => ScriptedResponse,
  flags: string[] = [],
  sub: (req: RecordedRequest) => ScriptedResponse = () => ({ text: "finding: fine" }),
  command = "analyze",
): Promise<Outcome & { server: FakeServer }> {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_rules_" });
  try {
    server.handler(script, "anthropic");
    server.handler(sub, "openai");
    const out = await runCliProcess([command, FIXTURE, "-q", "-o", `${dir}/out`, ...flags], {
      cwd: dir,
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
    });
    const path = out.stdout.trim().split("\n").at(-1) ?? "";
    const read = (p: string) => Deno.readTextFile(p).catch(() => "");
    const metricsText = await read(path.replace(/\.md$/, "_metrics.json"));
    return {
      code: out.code,
      stderr: out.stderr,
      metrics: metricsText ? JSON.parse(metricsText) : {},
      report: await read(path),
      server,
    };
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function assertNothingRefused(o: Outcome & { server: FakeServer }) {
  assertEquals(o.code, 0, o.stderr);
  assertEquals(o.server.refusals, []);
  assertEquals(o.server.droppedReasoning, []);
}

Deno.test("default models: a run that ends by set_answer", async () => {
  const o = await scenario((req) =>
    [call(DISPATCH), call("set_answer('# Report\\n' + r.join('\\n'))")][turnOf(req) - 1]
  );
  assertNothingRefused(o);
  assertEquals(o.metrics.complete, true);
});

Deno.test("default models: a run that reaches --max-turns (text on the last turn is the report)", async () => {
  const o = await scenario(
    (req) => turnOf(req) < 3 ? call(DISPATCH) : { thinking: "Done.", text: "# Final\n\nAll good." },
    ["--max-turns", "3"],
  );
  assertNothingRefused(o);
  assertEquals(o.metrics.complete, true);
  assertStringIncludes(o.report, "# Final");
});

Deno.test("default models: a run that keeps calling tools to --max-turns is salvaged", async () => {
  const o = await scenario(() => call("print('more')"), ["--max-turns", "2"]);
  assertNothingRefused(o);
  assertEquals(o.metrics.stop_reason, "max_turns");
});

Deno.test("default models: a run stopped by --max-cost", async () => {
  const o = await scenario(
    (req) =>
      turnOf(req) === 1 ? { ...call(DISPATCH), usage: { input: 20_000, output: 12_000 } } : {
        text: `# Budget report (turn ${turnOf(req)})`,
        usage: { input: 20_000, output: 2_000 },
      },
    ["--max-cost", "0.3"],
  );
  assertNothingRefused(o);
  assertEquals(o.metrics.budget_stopped, true);
  assertEquals(o.metrics.complete, true); // the finalize turn's text is the report
  assertStringIncludes(o.report, "# Budget report (turn 2)");
  const root = o.server.requestsFor("anthropic");
  assert(
    root.every((r) =>
      r.body.tool_choice === undefined || JSON.stringify(r.body.tool_choice).includes("auto")
    ),
  );
});

Deno.test("default models: a fenced-code turn, and a plain-text turn followed by tool calls", async () => {
  const o = await scenario((req) =>
    [
      { thinking: "Let me think.", text: "I will look around first." },
      { thinking: "Counting.", text: "```js\nprint(Object.keys(codebase).length)\n```" },
      call(DISPATCH),
      call("set_answer('# Report')"),
    ][turnOf(req) - 1]
  );
  assertNothingRefused(o);
  assertEquals(o.metrics.complete, true);
});

Deno.test("default models: a sub answer cut by the output limit is retried with a larger one", async () => {
  const o = await scenario(
    (req) => [call(DISPATCH), call("set_answer(r.join('\\n'))")][turnOf(req) - 1],
    [],
    () => ({ text: "a long review", reasoningTokens: 10_000 }),
  );
  assertNothingRefused(o);
  const limits = o.server.requestsFor("openai").map((r) =>
    r.body.max_tokens ?? r.body.max_completion_tokens
  );
  assert(limits.includes(16_384), JSON.stringify(limits)); // the retry's larger limit
  assertEquals(o.metrics.sub_errors, 0);
  assertEquals(o.metrics.sub_truncated, 0);
  assertStringIncludes(o.report, "a long review");
});

Deno.test("default models: a sub answer that never fits is an [ERROR item, not a silent cut", async () => {
  const o = await scenario(
    (req) => [call(DISPATCH), call("set_answer(r.join('\\n'))")][turnOf(req) - 1],
    [],
    () => ({ text: "a long review", reasoningTokens: 100_000 }),
  );
  assertNothingRefused(o);
  assertEquals(o.metrics.sub_errors, 6);
  assertStringIncludes(o.report, "output limit");
});

Deno.test("default models: a baseline", async () => {
  const o = await scenario(
    () => ({ thinking: "Reading.", text: "# Baseline report" }),
    [],
    undefined,
    "baseline",
  );
  assertNothingRefused(o);
});
