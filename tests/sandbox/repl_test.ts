import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { createRepl } from "../../lib/sandbox/mod.ts";
import { defaultMemoryLimitMb } from "../../lib/sandbox/repl.ts";
import type { ReplOptions, SubQueryHandler } from "../../lib/sandbox/types.ts";

function options(overrides: Partial<ReplOptions> = {}): ReplOptions {
  return {
    codebase: {
      "src/main.ts": "import { helper } from './helper.ts';\nhelper();\n",
      "src/helper.ts": "export function helper() {}\n",
      "README.md": "# demo\n",
    },
    fileTree: "README.md\nsrc/\n  helper.ts\n  main.ts",
    metadata: { repo_name: "demo", total_files: 3, file_types: { ".ts": 2, ".md": 1 } },
    onSubQuery: (prompts) => Promise.resolve(prompts.map((p) => `echo:${p}`)),
    execTimeoutSeconds: 10,
    memoryLimitMb: 256,
    ...overrides,
  };
}

Deno.test("REPL exposes the contract globals and keeps state between executions", async (t) => {
  const prompts: string[][] = [];
  const onSubQuery: SubQueryHandler = (batch) => {
    prompts.push(batch);
    return Promise.resolve(batch.map((p) => p === "fail" ? "[ERROR: upstream]" : `echo:${p}`));
  };
  const repl = await createRepl(options({ onSubQuery }));
  try {
    await t.step("codebase, file_tree and metadata are visible; codebase is frozen", async () => {
      const r = await repl.execute(
        "print(Object.keys(codebase).sort().join(','));\nprint(file_tree.split('\\n').length);\n" +
          "print(metadata.repo_name, Object.isFrozen(codebase));\ncodebase['README.md'] = 'x';",
      );
      assertEquals(r.output, "README.md,src/helper.ts,src/main.ts\n4\ndemo true\n");
      assertEquals(r.error?.name, "TypeError");
      assertEquals(r.error?.line, 4);
    });

    await t.step("top-level declarations persist; const stays const", async () => {
      const first = await repl.execute(
        "const imports: number = Object.values(codebase)\n" +
          "  .map((c) => (c.match(/^import\\s/gm) ?? []).length).reduce((a, b) => a + b, 0);\n" +
          "let seen = ['x'];\nfunction double(n) { return n * 2 }\nclass Counter { n = 1 }",
      );
      assertEquals(first.error, undefined);
      const second = await repl.execute(
        "seen.push('y');\nprint(imports, double(imports), seen, new Counter().n)",
      );
      assertEquals(second.output, '1 2 [ "x", "y" ] 1\n');
      const assign = await repl.execute("imports = 5");
      assertEquals(assign.error?.name, "TypeError");
      const redeclare = await repl.execute("const imports = 9;\nimports");
      assertEquals(redeclare.value, "9");
    });

    await t.step("print and console.* are captured; the last expression is the value", async () => {
      const r = await repl.execute(
        "console.log('a', { b: 1 });\nconsole.error('err');\nconsole.warn('w');\n[1, 2].length",
      );
      assertEquals(r.output, "a { b: 1 }\nerr\nw\n");
      assertEquals(r.value, "2");
    });

    await t.step("errors come back as data with the user's line", async () => {
      const r = await repl.execute(
        "const ok = 1;\n\nfunction bad() {\n  return missing.value;\n}\nbad()",
      );
      assertEquals(r.error?.name, "ReferenceError");
      assertMatch(r.error!.message, /missing is not defined/);
      assertEquals(r.error?.line, 4);
      const thrown = await repl.execute("throw 'plain string'");
      assertEquals(thrown.error?.message, "plain string");
      const syntax = await repl.execute("let x = ;");
      assertEquals(syntax.error?.name, "SyntaxError");
    });

    await t.step("llm_query and llm_batch go through the host handler in order", async () => {
      const r = await repl.execute(
        "const one = await llm_query('q1');\nconst many = await llm_batch(['a', 'fail', 'c']);\n" +
          "print(one, JSON.stringify(many))",
      );
      assertEquals(r.output, 'echo:q1 ["echo:a","[ERROR: upstream]","echo:c"]\n');
      assertEquals(prompts.slice(-2), [["q1"], ["a", "fail", "c"]]);
      const bad = await repl.execute("await llm_batch(['a', 3])");
      assertEquals(bad.error?.name, "TypeError");
      assertEquals(prompts.length, 2);
    });

    await t.step("set_answer and partial answer.content reach the result", async () => {
      const partial = await repl.execute("answer.content = 'draft';");
      assertEquals(partial.answer, { content: "draft", ready: false });
      const done = await repl.execute("set_answer('# Final');");
      assertEquals(done.answer, { content: "# Final", ready: true });
    });

    await t.step("captured output is bounded but its true length is reported", async () => {
      const r = await repl.execute("print('x'.repeat(5_000_000))");
      assertEquals(r.outputChars, 5_000_001);
      assert(r.output.length <= 1_000_000, `kept ${r.output.length} chars`);
    });

    await t.step("executions sent at once run one after another", async () => {
      const results = await Promise.all([
        repl.execute(
          "let order = [];\nawait new Promise((r) => setTimeout(r, 50));\norder.push(1)",
        ),
        repl.execute("order.push(2);\norder.join(',')"),
      ]);
      assertEquals(results[1].value, "1,2");
    });
  } finally {
    await repl.close();
  }
});

Deno.test("REPL time spent waiting on sub-queries does not count toward the timeout", async () => {
  const onSubQuery: SubQueryHandler = async (batch) => {
    await new Promise((r) => setTimeout(r, 1500));
    return batch;
  };
  const repl = await createRepl(options({ onSubQuery, execTimeoutSeconds: 1 }));
  try {
    const r = await repl.execute("await llm_query('slow')");
    assertEquals(r.fatal, undefined);
    assertEquals(r.value, "slow");
    assert(r.subQueryMs >= 1400, `subQueryMs ${r.subQueryMs}`);
    assert(r.elapsedMs >= r.subQueryMs);
  } finally {
    await repl.close();
  }
});

Deno.test("REPL restarts after a timeout: variables gone, answer kept, next execution works", async () => {
  const repl = await createRepl(options({ execTimeoutSeconds: 1 }));
  try {
    await repl.execute("const kept = 1;\nanswer.content = 'partial';");
    const r = await repl.execute("print('started');\nwhile (true) {}");
    assertEquals(r.fatal?.kind, "timeout");
    assertEquals(r.output, "started\n", "output printed before the timeout is kept");
    assertEquals(
      r.fatal?.message,
      "execution timed out after 1 s; the REPL was restarted and its variables are gone",
    );
    assertEquals(r.answer.content, "partial");
    const next = await repl.execute(
      "print(typeof kept, answer.content, Object.keys(codebase).length)",
    );
    assertEquals(next.output, "undefined partial 3\n");
  } finally {
    await repl.close();
  }
});

Deno.test("REPL close() aborts in-flight sub-queries and settles the running execution", async () => {
  let signalSeen: AbortSignal | undefined;
  let entered!: () => void;
  const waiting = new Promise<void>((resolve) => entered = resolve);
  const onSubQuery: SubQueryHandler = (_batch, signal) => {
    signalSeen = signal;
    entered();
    return new Promise((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason));
    });
  };
  const repl = await createRepl(options({ onSubQuery }));
  const running = repl.execute("await llm_query('never answered')");
  await waiting;
  await repl.close();
  const r = await running;
  assertEquals(r.fatal?.kind, "crash");
  assert(signalSeen?.aborted);
  await repl.close();
  const after = await repl.execute("1");
  assertEquals(after.fatal?.kind, "crash");
});

Deno.test("defaultMemoryLimitMb grows with a codebase too large for the 1024 MB default", () => {
  assertEquals(defaultMemoryLimitMb({ "a.ts": "x".repeat(1000) }), 1024);
  const big = { "a.ts": "x".repeat(200 * 1024 * 1024) };
  assertEquals(defaultMemoryLimitMb(big), 200 * 4 + 512);
});

Deno.test("REPL refuses sub-model prompts beyond 10,000 in flight at once", async () => {
  const batches: number[] = [];
  const onSubQuery: SubQueryHandler = (batch, signal) => {
    batches.push(batch.length);
    // Never answers: only the end of the execution settles it.
    return new Promise((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason));
    });
  };
  const repl = await createRepl(options({ onSubQuery }));
  try {
    const r = await repl.execute(
      "const held = llm_batch(new Array(10000).fill('q'));\n" +
        "try { await llm_query('one more'); } catch (e) { print(e.message); }",
    );
    assertEquals(r.error, undefined);
    assertEquals(
      r.output,
      "too many sub-model prompts in flight (at most 10000): await earlier llm_query/llm_batch " +
        "calls before starting more\n",
    );
    assertEquals(batches, [10000]);
  } finally {
    await repl.close();
  }
});
