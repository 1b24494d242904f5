import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { type AnalysisDeps, runAnalysis } from "../../lib/engine/run_analysis.ts";
import { priceUsage } from "../../lib/engine/spend.ts";
import {
  MAX_TREE_CHARS,
  ROOT_SYSTEM_PROMPT,
  SUB_SYSTEM_PROMPT,
  treeForPrompt,
} from "../../lib/engine/prompts.ts";
import type { CompletionRequest, Part, Pricing } from "../../lib/providers/types.ts";
import { FakeRepl, makeSnapshot, sampleFiles, ScriptedClient, toolCall } from "./_fakes.ts";

const ROOT_PRICE: Pricing = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const SUB_PRICE: Pricing = { input: 0.3, output: 1.2 };

function deps(root: ScriptedClient, sub: ScriptedClient, extra: Partial<AnalysisDeps> = {}) {
  const repls: FakeRepl[] = [];
  const d: AnalysisDeps = {
    rootClient: root,
    subClient: sub,
    rootCost: (u) => priceUsage(u, ROOT_PRICE),
    subCost: (u) => priceUsage(u, SUB_PRICE),
    createRepl: (o) => {
      const r = new FakeRepl(o);
      repls.push(r);
      return Promise.resolve(r);
    },
    ...extra,
  };
  return { d, repls };
}

function lastUserParts(req: CompletionRequest): Part[] {
  const last = req.messages[req.messages.length - 1];
  assertEquals(last.role, "user");
  return typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content;
}

function userText(req: CompletionRequest): string {
  return lastUserParts(req).map((p) =>
    p.type === "text" ? p.text : p.type === "tool_result" ? p.content : ""
  ).join("\n");
}

const echoSub = () =>
  new ScriptedClient([], (req) => ({
    text: `review of ${String(req.messages[0].content).slice(0, 40)}`,
    usage: { inputTokens: 50, outputTokens: 20 },
  }));

Deno.test("runAnalysis() explores, dispatches every file, reuses state and submits", async () => {
  const files = sampleFiles(6);
  const root = new ScriptedClient([
    toolCall("state.paths = Object.keys(codebase); print(state.paths.length, 'files');"),
    toolCall(
      "state.reviews = await llm_batch(state.paths.map((p) => 'Review ' + p + '\\n' + codebase[p]));" +
        "print(state.reviews.length);",
    ),
    toolCall("set_answer('# Report\\n' + state.reviews.join('\\n'));"),
  ]);
  const sub = echoSub();
  const { d, repls } = deps(root, sub);
  const result = await runAnalysis({ snapshot: makeSnapshot(files) }, d);

  assert(result.complete);
  assertEquals(result.stopReason, "answer");
  assertEquals(result.turns.length, 3);
  assertEquals(sub.requests.length, 6);
  assertEquals(result.coverage.covered.size, 6);
  assert(result.report.startsWith("# Report\nreview of Review src/file_0.ts"));
  assertStringIncludes(userText(root.requests[1]), "6 files");
  // The first message carries metadata and tree, never file contents.
  const first = userText(root.requests[0]);
  assertStringIncludes(first, "src/file_3.ts");
  assert(!first.includes("export const value3"));
  assertStringIncludes(userText(root.requests[2]), "0 of 6 files not yet looked at");
  assert(repls[0].closed);
  assertEquals(result.spend.sub.calls, 6);
  assertEquals(result.spend.root.calls, 3);
});

Deno.test("runAnalysis() runs every tool call of a turn in order, one result each", async () => {
  const root = new ScriptedClient([
    {
      toolCalls: [
        { id: "a", name: "execute_code", input: { code: "state.n = 1; print('first', state.n);" } },
        { id: "b", name: "execute_code", input: { code: "state.n++; print('second', state.n);" } },
        { id: "c", name: "other_tool", input: {} },
      ],
    },
    toolCall("set_answer('done ' + state.n);"),
  ]);
  const { d } = deps(root, echoSub());
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  const parts = lastUserParts(root.requests[1]);
  assertEquals(parts.slice(0, 3).map((p) => p.type === "tool_result" ? [p.id, p.content] : []), [
    ["a", "first 1"],
    ["b", "second 2"],
    ["c", 'Error: unknown tool "other_tool". The only tool is execute_code.'],
  ]);
  assertEquals(parts[3].type, "text"); // status line after the tool results
  assertEquals(result.report, "done 2");
});

Deno.test("runAnalysis() runs fenced code from a reply without tool calls", async () => {
  const root = new ScriptedClient([
    { text: "Let me count.\n```js\nprint('count', Object.keys(codebase).length);\n```" },
    toolCall("set_answer('ok');"),
  ]);
  const { d, repls } = deps(root, echoSub());
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(4)) }, d);
  assertEquals(repls[0].executed[0], "print('count', Object.keys(codebase).length);");
  assertStringIncludes(userText(root.requests[1]), "count 4");
  assertEquals(result.turns[0].executions[0].source, "fenced");
  assert(result.complete);
});

Deno.test("runAnalysis() nudges the model when a reply has no code", async () => {
  const root = new ScriptedClient([
    { text: "I think the code looks fine." },
    toolCall("set_answer('x')"),
  ]);
  const { d } = deps(root, echoSub());
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  assertStringIncludes(userText(root.requests[1]), "No code ran");
  assert(result.turns[0].nudged);
  assert(result.complete);
});

Deno.test("runAnalysis() salvages sub-model findings when the turn limit ends the run", async () => {
  const root = new ScriptedClient([
    toolCall("state.r = await llm_batch(Object.keys(codebase).map((p) => p + codebase[p]));"),
    toolCall("print('still looking')"),
    toolCall("print('and more')"),
  ]);
  // A model whose rules allow forcing a tool call (a model that cannot: see model_rules_test).
  const { d } = deps(root, echoSub(), { rootRules: { forcedToolChoice: true } });
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(2)), maxTurns: 3 }, d);
  assert(!result.complete);
  assertEquals(result.stopReason, "max_turns");
  assertStringIncludes(result.report, "Incomplete analysis");
  assertStringIncludes(result.report, "Re-run with a higher --max-turns");
  assertStringIncludes(result.report, "review of src/file_1.ts");
  assertEquals(root.requests.length, 3);
  // Turn budget: every turn states it; the last two demand the tool and finalizing.
  assertStringIncludes(userText(root.requests[0]), "[Turn 1/3: 2 more after this one");
  assert(!userText(root.requests[0]).includes("set_answer(report) no later"));
  assertStringIncludes(userText(root.requests[1]), "Only two turns remain");
  assertStringIncludes(userText(root.requests[2]), "This is the LAST turn");
  const choice = (r: CompletionRequest) => (r as { toolChoice?: string }).toolChoice;
  assertEquals(root.requests.map(choice), [undefined, "required", "required"]);
});

Deno.test("runAnalysis() salvages answer.content set without set_answer", async () => {
  const root = new ScriptedClient([toolCall("answer.content = 'draft findings';")]);
  const { d } = deps(root, echoSub());
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)), maxTurns: 1 }, d);
  assert(!result.complete);
  assertStringIncludes(result.report, "draft findings");
});

Deno.test("runAnalysis() returns a failure value with partial findings when the root fails", async () => {
  const root = new ScriptedClient([
    toolCall("await llm_batch(Object.keys(codebase).map((p) => codebase[p]));"),
    { throws: new Error("anthropic: 500 after 3 retries") },
  ]);
  const { d, repls } = deps(root, echoSub());
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(2)) }, d);
  assertEquals(result.stopReason, "root_error");
  assertEquals(result.error, "anthropic: 500 after 3 retries");
  assert(!result.complete);
  assertStringIncludes(result.report, "root model failed: anthropic: 500");
  assertEquals(result.subRecords.length, 2);
  assert(repls[0].closed);
});

Deno.test("runAnalysis() turns a failed sub call into an [ERROR item and completes", async () => {
  const root = new ScriptedClient([
    toolCall("state.r = await llm_batch(['good one', 'bad one']); print(JSON.stringify(state.r));"),
    toolCall("set_answer(state.r.join(' | '));"),
  ]);
  const sub = new ScriptedClient(
    [],
    (req) =>
      String(req.messages[0].content).startsWith("bad")
        ? { throws: new Error("openrouter: 502 after retries") }
        : { text: "fine" },
  );
  const { d } = deps(root, sub);
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  assert(result.complete);
  assertEquals(result.report, "fine | [ERROR: openrouter: 502 after retries]");
  assertEquals(result.subStats.errors, 1);
});

Deno.test("runAnalysis() stops with 'interrupted' when the signal aborts mid-run", async () => {
  const ac = new AbortController();
  const root = new ScriptedClient([
    toolCall("print('one')"),
    () => {
      ac.abort();
      return { throws: new DOMException("aborted", "AbortError") };
    },
  ]);
  const { d } = deps(root, echoSub(), { signal: ac.signal });
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  assertEquals(result.stopReason, "interrupted");
  assertEquals(result.turns.length, 1);
});

Deno.test("runAnalysis() cuts long output, keeping head and tail and the true length", async () => {
  const root = new ScriptedClient([
    toolCall("print('HEAD' + 'x'.repeat(20000) + 'TAIL');"),
    toolCall("set_answer('ok')"),
  ]);
  const { d } = deps(root, echoSub());
  await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  const shown = userText(root.requests[1]);
  assertStringIncludes(shown, "HEAD");
  assertStringIncludes(shown, "TAIL");
  assertStringIncludes(shown, "20008 characters in total");
  assert(shown.length < 9000);
});

Deno.test("runAnalysis() asks for prompt caching only when enabled", async () => {
  for (const promptCache of [true, false]) {
    const root = new ScriptedClient([toolCall("set_answer('ok')")]);
    const { d } = deps(root, echoSub());
    await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)), promptCache }, d);
    assertEquals(root.requests[0].promptCache, promptCache);
  }
});

Deno.test("runAnalysis() keeps at most --concurrency sub calls in flight, answers in order", async () => {
  let inFlight = 0;
  let peak = 0;
  const sub = {
    async complete(req: CompletionRequest) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const n = Number(String(req.messages[0].content).slice(1));
      await new Promise((r) => setTimeout(r, (n % 3) * 3));
      inFlight--;
      return { text: `a${n}`, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
  const root = new ScriptedClient([
    toolCall(
      "const r = await llm_batch(Array.from({length: 23}, (_, i) => 'q' + i)); set_answer(r.join(','));",
    ),
  ]);
  const { d } = deps(root, echoSub(), { subClient: sub });
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)), concurrency: 4 },
    d,
  );
  assertEquals(peak, 4);
  assertEquals(result.report, Array.from({ length: 23 }, (_, i) => `a${i}`).join(","));
});

Deno.test("runAnalysis() tells the model when the REPL was restarted", async () => {
  const root = new ScriptedClient([toolCall("while (true) {}"), toolCall("set_answer('after')")]);
  const { d } = deps(root, echoSub(), {
    createRepl: (o) => {
      const repl = new FakeRepl(o);
      const real = repl.execute.bind(repl);
      repl.execute = (code: string) =>
        code.startsWith("while")
          ? Promise.resolve({
            output: "",
            outputChars: 0,
            answer: { content: "", ready: false },
            fatal: { kind: "timeout" as const, message: "execution exceeded 300 s" },
            elapsedMs: 300_000,
            subQueryMs: 0,
          })
          : real(code);
      return Promise.resolve(repl);
    },
  });
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  const shown = userText(root.requests[1]);
  assertStringIncludes(shown, "REPL RESTARTED — timeout: execution exceeded 300 s");
  assertStringIncludes(shown, "Variables from earlier executions are gone");
  assertEquals(result.turns[0].executions[0].fatal?.kind, "timeout");
  assert(result.complete);
});

Deno.test("runAnalysis() reports a REPL that cannot start as repl_error, not a root failure", async () => {
  const root = new ScriptedClient([]);
  const { d } = deps(root, echoSub(), {
    createRepl: () => Promise.reject(new Error("the REPL could not be started: spawn failed")),
  });
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  assertEquals(result.stopReason, "repl_error");
  assertEquals(result.error, "the REPL could not be started: spawn failed");
  assertEquals(root.requests.length, 0);
  assertStringIncludes(result.report, "the REPL failed");
});

Deno.test("runAnalysis() applies --concurrency across parallel llm_query and llm_batch calls", async () => {
  let inFlight = 0;
  let peak = 0;
  const sub = {
    async complete() {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { text: "ok", toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
  const root = new ScriptedClient([
    toolCall(
      "const qs = Array.from({length: 20}, (_, i) => 'q' + i);" +
        "const [a, b] = await Promise.all([Promise.all(qs.map((q) => llm_query(q))), llm_batch(qs)]);" +
        "set_answer(String(a.length + b.length));",
    ),
  ]);
  const { d } = deps(root, echoSub(), { subClient: sub });
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)), concurrency: 3 }, d);
  assertEquals(result.report, "40");
  assertEquals(peak, 3);
});

Deno.test("runAnalysis() shows the last expression's value when nothing was printed", async () => {
  const root = new ScriptedClient([
    toolCall("Object.keys(codebase).length"),
    toolCall("set_answer('ok');"),
  ]);
  const { d } = deps(root, echoSub(), {
    createRepl: (o) => {
      const repl = new FakeRepl(o);
      const real = repl.execute.bind(repl);
      repl.execute = async (code: string) =>
        code.startsWith("Object.keys") ? { ...(await real("")), value: "3" } : real(code);
      return Promise.resolve(repl);
    },
  });
  await runAnalysis({ snapshot: makeSnapshot(sampleFiles(3)) }, d);
  assertStringIncludes(userText(root.requests[1]), "=> 3");
});

Deno.test("runAnalysis() says once that variables are gone when the sandbox already said it", async () => {
  const root = new ScriptedClient([toolCall("while (true) {}"), toolCall("set_answer('ok');")]);
  const message =
    "execution timed out after 300 s; the REPL was restarted and its variables are gone";
  const { d } = deps(root, echoSub(), {
    createRepl: (o) => {
      const repl = new FakeRepl(o);
      const real = repl.execute.bind(repl);
      repl.execute = async (code: string) =>
        code.startsWith("while")
          ? { ...(await real("")), fatal: { kind: "timeout" as const, message } }
          : real(code);
      return Promise.resolve(repl);
    },
  });
  await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  const shown = userText(root.requests[1]);
  assertStringIncludes(shown, message);
  assertEquals(shown.match(/variables/gi)?.length, 1, shown);
});

Deno.test("runAnalysis() cancels sub calls in flight when the run is interrupted", async () => {
  const ac = new AbortController();
  const seen: AbortSignal[] = [];
  const sub = {
    complete(req: CompletionRequest) {
      seen.push(req.signal!);
      if (seen.length === 3) ac.abort(); // Ctrl-C while three calls are waiting
      return new Promise<never>((_, reject) => {
        req.signal!.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      });
    },
  };
  const root = new ScriptedClient([
    toolCall("await llm_batch(['a', 'b', 'c', 'd', 'e', 'f']);"),
  ]);
  const { d, repls } = deps(root, echoSub(), { subClient: sub, signal: ac.signal });
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)), concurrency: 3 }, d);
  assertEquals(result.stopReason, "interrupted");
  assertEquals(seen.length, 3); // the other three were never sent
  assert(seen.every((s) => s.aborted));
  assert(repls[0].closed);
});

Deno.test("runAnalysis() counts covered files while a batch is still running", async () => {
  const files = sampleFiles(4);
  const seenDuringBatch: number[] = [];
  const root = new ScriptedClient([
    toolCall("state.r = await llm_batch(Object.keys(codebase).map((p) => codebase[p]));"),
    toolCall("set_answer('ok')"),
  ]);
  const { d } = deps(root, echoSub(), {
    onProgress: (p) => {
      if (p.phase === "exec" && p.subDone > 0 && p.subDone < p.subRequested) {
        seenDuringBatch.push(p.filesCovered);
      }
    },
  });
  const result = await runAnalysis({ snapshot: makeSnapshot(files), concurrency: 1 }, d);
  assertEquals(seenDuringBatch, [1, 2, 3]);
  assertEquals(result.coverage.covered.size, 4);
  assertEquals(result.subRecords.map((r) => r.files), Object.keys(files).map((f) => [f]));
});

Deno.test("runAnalysis() salvage keeps the model's draft and the findings gathered after it", async () => {
  const root = new ScriptedClient([
    toolCall("answer.content = '# Draft\\nArchitecture: two files.';"),
    toolCall("state.r = await llm_batch(Object.keys(codebase).map((p) => codebase[p]));"),
  ]);
  const { d } = deps(root, echoSub());
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(2)), maxTurns: 2 }, d);
  assert(!result.complete);
  const report = result.report;
  assert(report.startsWith("> **Incomplete analysis** — the turn limit"), report);
  assertStringIncludes(report, "# Draft\nArchitecture: two files.");
  assertStringIncludes(report, "## Sub-model findings (raw)");
  assertStringIncludes(report, "### src/file_1.ts\n\nreview of export const value1");
  assert(report.indexOf("# Draft") < report.indexOf("## Sub-model findings"));
});

Deno.test("the prompts teach the REPL, one file per prompt, a draft in answer.content and file:line", () => {
  // The prompts are the product: check the facts the loop relies on are taught.
  for (
    const fact of [
      "execute_code",
      "llm_batch",
      "one file (or one\n   question) per prompt",
      "answer.content = draft",
      "set_answer(report)",
      "P0",
      "file:line",
      "numbered(path)",
      "path:start-end",
      "as it is (no other reformatting)",
    ]
  ) assertStringIncludes(ROOT_SYSTEM_PROMPT, fact);
  assertStringIncludes(SUB_SYSTEM_PROMPT, "file.ts:42");
  assertStringIncludes(SUB_SYSTEM_PROMPT, "cite those numbers");
});

Deno.test("runAnalysis() does not run a tool call cut off at the output limit, and says why", async () => {
  const root = new ScriptedClient([
    {
      toolCalls: [
        { id: "a", name: "execute_code", input: { code: "state.n = 1; print('complete call');" } },
        { id: "b", name: "execute_code", input: { code: "set_answer('# Report\\n\\nHalf a rep" } },
      ],
      stopReason: "max_tokens",
    },
    { ...toolCall("set_answer('short report ' + state.n)"), stopReason: "tool_use" },
  ]);
  const { d, repls } = deps(root, echoSub());
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  assertEquals(repls[0].executed.length, 2); // the first call and the next turn's, not the cut one
  const parts = lastUserParts(root.requests[1]);
  assertEquals(parts[0].type === "tool_result" && parts[0].content, "complete call");
  assert(parts[1].type === "tool_result");
  assertStringIncludes(parts[1].content, "Not run: your reply reached the output limit");
  assertEquals(result.report, "short report 1");
});

Deno.test("runAnalysis() does not end the run on an empty set_answer, and says so once", async () => {
  const root = new ScriptedClient([
    toolCall("state.lines = []; set_answer(state.lines.join('\\n'));"),
    toolCall("print('checking')"),
    toolCall("set_answer('# Real report');"),
  ]);
  const { d } = deps(root, echoSub());
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  assertStringIncludes(userText(root.requests[1]), "set_answer received an empty report");
  assert(!userText(root.requests[1]).includes("[answer submitted"));
  assert(!userText(root.requests[2]).includes("empty report"));
  assertEquals(result.turns.length, 3);
  assert(result.complete);
  assertEquals(result.report, "# Real report");
});

Deno.test("runAnalysis() sends a folder summary instead of a file tree too long for the prompt", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 4000; i++) {
    files[`packages/pkg_${i % 40}/src/module_with_a_long_name_${i}.ts`] = `export const v = ${i};`;
  }
  files["README.md"] = "# big";
  const snapshot = makeSnapshot(files);
  snapshot.fileTree = Object.keys(files).sort().map((p) => `  ${p}`).join("\n");
  assert(snapshot.fileTree.length > MAX_TREE_CHARS);
  const root = new ScriptedClient([toolCall("set_answer('ok')")]);
  const { d, repls } = deps(root, echoSub());
  await runAnalysis({ snapshot }, d);
  const first = userText(root.requests[0]);
  assert(first.length < MAX_TREE_CHARS, `${first.length}`);
  assertStringIncludes(first, "(The tree has 4,001 lines, too many to show.");
  assertStringIncludes(first, "\n./ (1 file)\npackages/pkg_0/ (100 files)\n");
  assertStringIncludes(first, "packages/pkg_39/ (100 files)");
  assert(!first.includes("module_with_a_long_name_7.ts"));
  assertEquals(repls[0].options.fileTree, snapshot.fileTree); // the REPL keeps the whole tree
});

Deno.test("treeForPrompt() keeps a tree that fits and cuts a long folder list with a count", () => {
  assertEquals(treeForPrompt("a/\n  b.ts", ["a/b.ts"]), "a/\n  b.ts");
  const paths = Array.from({ length: 50 }, (_, i) => `dir_${i}/sub/file.ts`);
  const summary = treeForPrompt("x".repeat(500), paths, 300);
  assert(summary.length <= 330, `${summary.length}`);
  assertMatch(summary, /\n\.\.\. \d+ more folders$/);
  assertStringIncludes(summary, "dir_0/sub/ (1 file)");
});

Deno.test("runAnalysis() marks a progress milestone every 25 sub-model answers of a long batch", async () => {
  const milestones: string[] = [];
  const root = new ScriptedClient([
    toolCall("await llm_batch(Array.from({ length: 60 }, (_, i) => 'q' + i));"),
    toolCall("set_answer('ok')"),
  ]);
  const { d } = deps(root, echoSub(), {
    onProgress: (p, milestone) => {
      if (milestone && p.phase === "exec") milestones.push(`${p.subDone}/${p.subRequested}`);
    },
  });
  await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)), concurrency: 1 }, d);
  assertEquals(milestones, ["25/60", "50/60", "60/60"]);
});

Deno.test("runAnalysis() reports each sub-model answer to the cache as it arrives", async () => {
  const events: string[] = [];
  const sub = new ScriptedClient([], (req) => {
    events.push(`sent ${req.messages[0].content}`);
    return { text: `answer ${req.messages[0].content}` };
  });
  const root = new ScriptedClient([
    toolCall("state.r = await llm_batch(['a', 'b', 'c']);"),
    toolCall("set_answer(state.r.join(','))"),
  ]);
  const { d } = deps(root, sub, {
    batch: async (prompts, send) => {
      const results = await send(prompts, (i, r) => events.push(`stored ${i}: ${r}`));
      events.push("batch returned");
      return { results, hits: 0, misses: prompts.length };
    },
  });
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)), concurrency: 1 }, d);
  assertEquals(events, [
    "sent a",
    "stored 0: answer a",
    "sent b",
    "stored 1: answer b",
    "sent c",
    "stored 2: answer c",
    "batch returned",
  ]);
  assertEquals(result.report, "answer a,answer b,answer c");
});

Deno.test("runAnalysis() keeps a turn interrupted while its code ran, with the code, in the record", async () => {
  const ac = new AbortController();
  const root = new ScriptedClient([
    { text: "Reviewing everything now.", ...toolCall("await llm_batch(['slow'])") },
  ]);
  const { d } = deps(root, echoSub(), {
    signal: ac.signal,
    createRepl: (o) => {
      const repl = new FakeRepl(o);
      repl.execute = () => {
        ac.abort(); // Ctrl-C while the code runs; the execution never finishes by itself.
        return new Promise(() => {});
      };
      return Promise.resolve(repl);
    },
  });
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(2)) }, d);
  assertEquals(result.stopReason, "interrupted");
  assertEquals(result.turns.length, 1);
  const [turn] = result.turns;
  assertEquals(turn.interrupted, true);
  assertEquals(turn.rootText, "Reviewing everything now.");
  assertEquals(turn.executions.map((e) => e.code), ["await llm_batch(['slow'])"]);
  assertStringIncludes(turn.executions[0].output, "stopped before this execution finished");
});
