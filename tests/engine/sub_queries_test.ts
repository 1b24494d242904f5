import { assertEquals } from "../_helpers/assert.ts";
import { CANCELLED_TEXT, createSubDispatcher } from "../../lib/engine/sub_queries.ts";
import { SpendLedger } from "../../lib/engine/spend.ts";
import { CoverageLedger } from "../../lib/engine/coverage.ts";
import type { CompletionRequest } from "../../lib/providers/types.ts";

Deno.test("calls cut short by the end of the run count as cancelled, not as failures", async () => {
  const run = new AbortController();
  let sent = 0;
  const client = {
    complete(req: CompletionRequest) {
      if (++sent === 3) run.abort(); // Ctrl-C while three calls are waiting
      return new Promise<never>((_, reject) => {
        if (req.signal!.aborted) reject(new Error("aborted"));
        req.signal!.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      });
    },
  };
  const dispatcher = createSubDispatcher({
    client,
    spend: new SpendLedger({ rootCost: () => 0, subCost: () => 0 }),
    coverage: new CoverageLedger({}, []),
    concurrency: 3,
    signal: run.signal,
    turn: () => 1,
  });
  const results = await dispatcher.handle(
    ["a", "b", "c", "d", "e", "f"],
    new AbortController().signal,
  );
  assertEquals(results, Array(6).fill(CANCELLED_TEXT));
  assertEquals(sent, 3);
  assertEquals(dispatcher.stats.cancelled, 6);
  assertEquals(dispatcher.stats.errors, 0);
});

Deno.test("a call that fails after retries counts as a failure with its message", async () => {
  const dispatcher = createSubDispatcher({
    client: { complete: () => Promise.reject(new Error("provider x: overloaded (status 529)")) },
    spend: new SpendLedger({ rootCost: () => 0, subCost: () => 0 }),
    coverage: new CoverageLedger({}, []),
    signal: new AbortController().signal,
    turn: () => 1,
  });
  const [result] = await dispatcher.handle(["a"], new AbortController().signal);
  assertEquals(result, "[ERROR: provider x: overloaded (status 529)]");
  assertEquals([dispatcher.stats.errors, dispatcher.stats.cancelled], [1, 0]);
});
