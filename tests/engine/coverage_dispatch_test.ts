import { assertEquals } from "../_helpers/assert.ts";
import { createSubDispatcher } from "../../lib/engine/sub_queries.ts";
import { SpendLedger } from "../../lib/engine/spend.ts";
import { CoverageLedger } from "../../lib/engine/coverage.ts";
import type { CompletionRequest, CompletionResponse } from "../../lib/providers/types.ts";

const CODEBASE = {
  "src/a.ts": "export function alpha(input: string) {\n  return input.trim().toUpperCase();\n}\n",
  "src/b.ts":
    "export function beta(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n",
};

/** Answers every prompt that mentions "ok", fails the others. */
const client = {
  complete(req: CompletionRequest): Promise<CompletionResponse> {
    const text = String(req.messages[0].content);
    if (!text.includes("ok")) return Promise.reject(new Error("provider x: overloaded"));
    return Promise.resolve({
      text: "fine",
      usage: { inputTokens: 10, outputTokens: 2 },
      stopReason: "end",
    } as CompletionResponse);
  },
};

Deno.test("the coverage scan skips failed and budget-skipped prompts (#18 finding 5)", async () => {
  const coverage = new CoverageLedger(CODEBASE);
  const dispatcher = createSubDispatcher({
    client,
    spend: new SpendLedger({ rootCost: () => 0, subCost: () => 0 }),
    coverage,
    signal: new AbortController().signal,
    turn: () => 1,
  });
  const failing = `Review src/a.ts:\n${CODEBASE["src/a.ts"]}`;
  const answered = `ok, review src/b.ts:\n${CODEBASE["src/b.ts"]}`;
  await dispatcher.handle([failing, answered], new AbortController().signal);
  assertEquals(dispatcher.records.map((r) => [r.error, r.files]), [
    [true, []],
    [false, ["src/b.ts"]],
  ]);
  assertEquals([...coverage.covered], ["src/b.ts"]);
});
