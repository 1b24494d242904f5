import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../_helpers/assert.ts";
import { capturedContext } from "../../_helpers/cli_context.ts";
import { type ReplInput, runRepl } from "../../../lib/cli/commands/repl.ts";
import { createRepl } from "../../../lib/sandbox/mod.ts";
import { InterruptedError } from "../../../lib/errors.ts";
import type { ReplCommandOptions } from "../../../lib/cli/options.ts";
import { startFakeModelServer } from "../../fakes/model_server.ts";
import { runCliProcess } from "../../_helpers/run_cli.ts";

const SAMPLE = new URL("../../fixtures/sample_project", import.meta.url).pathname;

function options(overrides: Partial<ReplCommandOptions> = {}): ReplCommandOptions {
  return {
    source: SAMPLE,
    outputDir: "/nonexistent-output",
    quiet: true,
    rootModel: "sonnet",
    subModel: "minimax/minimax-m2.5",
    cache: false,
    plugins: [],
    evals: [],
    execTimeoutSeconds: 5,
    ...overrides,
  };
}

function input(lines: string[], isTerminal = true, all = ""): ReplInput {
  return {
    async *lines() {
      for (const line of lines) yield line;
    },
    readAll: () => Promise.resolve(all),
    isTerminal,
  };
}

const noSubQueries = () =>
  Promise.resolve({
    handle: (prompts: string[]) => Promise.resolve(prompts.map((p) => `sub:${p}`)),
    summary: () => "",
    close: () => {},
  });

Deno.test("repl --eval runs each snippet in order in one REPL and prints outputs and values", async () => {
  const ctx = capturedContext(SAMPLE);
  const code = await runRepl(
    options({
      evals: [
        "const paths = Object.keys(codebase).filter((p) => p.endsWith('.ts'));",
        "print(paths.length > 0, metadata.repo_name)",
        "paths.length === metadata.file_types['.ts']",
        "await llm_query('hello')",
      ],
    }),
    ctx,
    { input: input([]), createRepl, subQueries: noSubQueries },
  );
  assertEquals(code, 0, ctx.errText());
  assertEquals(ctx.out, ["true sample_project", "true", "sub:hello"]);
});

Deno.test("repl says when set_answer set the answer, unless quiet", async () => {
  for (const quiet of [false, true]) {
    const ctx = capturedContext(SAMPLE);
    const code = await runRepl(
      options({ quiet, evals: ["set_answer('# Report')", "answer.content.length"] }),
      ctx,
      { input: input([]), createRepl, subQueries: noSubQueries },
    );
    assertEquals(code, 0, ctx.errText());
    assertEquals(ctx.out, ["8"]);
    assertEquals(
      ctx.errText().includes("[answer set: 8 characters; see answer.content]\n"),
      !quiet,
      ctx.errText(),
    );
  }
});

Deno.test("repl reports an error on stderr, keeps going, and exits 1", async () => {
  const ctx = capturedContext(SAMPLE);
  const code = await runRepl(
    options({ evals: ["const a = 1;\nnope()", "print(a + 1)"] }),
    ctx,
    { input: input([]), createRepl, subQueries: noSubQueries },
  );
  assertEquals(code, 1);
  assertEquals(ctx.out, ["2"]);
  assertMatch(ctx.errText(), /ReferenceError: nope is not defined \(line 2\)/);
});

Deno.test("repl reads code interactively on a terminal, with continuation lines", async () => {
  const ctx = capturedContext(SAMPLE);
  const code = await runRepl(
    options(),
    ctx,
    {
      input: input([
        "let total = 0;",
        "for (const c of Object.values(codebase)) {",
        "  total += 1;",
        "}",
        "total > 0",
        ".exit",
        "print('not reached')",
      ]),
      createRepl,
      subQueries: noSubQueries,
    },
  );
  assertEquals(code, 0, ctx.errText());
  assertEquals(ctx.out, ["true"]);
  assertStringIncludes(ctx.errText(), "... ");
});

Deno.test("repl continues a TypeScript declaration typed over several lines", async () => {
  const ctx = capturedContext(SAMPLE);
  const code = await runRepl(options(), ctx, {
    input: input([
      "function add(a: number, b: number): number {",
      "  return a + b;",
      "}",
      "add(2, 3)",
    ]),
    createRepl,
    subQueries: noSubQueries,
  });
  assertEquals(code, 0, ctx.errText());
  assertEquals(ctx.out, ["5"]);
});

Deno.test("repl ends at once with an interruption when Ctrl-C comes at an idle prompt", async () => {
  const controller = new AbortController();
  const ctx = capturedContext(SAMPLE, {}, controller.signal);
  let closed = false;
  const idle: ReplInput = {
    async *lines() {
      yield "print('typed')";
      controller.abort();
      await new Promise(() => {}); // The person types nothing more.
    },
    readAll: () => Promise.resolve(""),
    isTerminal: true,
  };
  // Without the fix the prompt waits for a line forever: fail after 10 s instead of hanging.
  let guard: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise((resolve) => guard = setTimeout(() => resolve("still waiting"), 10_000));
  const running = runRepl(options(), ctx, {
    input: idle,
    createRepl: async (o) => {
      const repl = await createRepl(o);
      return { execute: (c) => repl.execute(c), close: () => (closed = true, repl.close()) };
    },
    subQueries: noSubQueries,
  }).then(() => "returned normally", (e) => e);
  const error = await Promise.race([running, hung]);
  clearTimeout(guard);
  assert(error instanceof InterruptedError, String(error));
  assertEquals(ctx.out, ["typed"]);
  assert(closed, "the REPL was not closed");
  assert(ctx.errText().endsWith("> \n"), JSON.stringify(ctx.errText()));
});

Deno.test("repl runs all of stdin as one execution when stdin is not a terminal", async () => {
  const ctx = capturedContext(SAMPLE);
  const code = await runRepl(options(), ctx, {
    input: input([], false, "const n: number = 2;\nprint(n * 21)\n"),
    createRepl,
    subQueries: noSubQueries,
  });
  assertEquals(code, 0, ctx.errText());
  assertEquals(ctx.out, ["42"]);
});

Deno.test("repl sends llm_query to --sub-model through the provider layer", async () => {
  const server = await startFakeModelServer();
  server.handler((req) => {
    const messages = req.body.messages as { role: string; content: string }[];
    return { text: `answer to ${messages.at(-1)?.content}` };
  }, "openai");
  try {
    const ctx = capturedContext(SAMPLE, server.env());
    const code = await runRepl(
      options({ quiet: false, evals: ["print(await llm_batch(['one', 'two']))"] }),
      ctx,
      { input: input([]), createRepl },
    );
    assertEquals(code, 0, ctx.errText());
    assertEquals(ctx.out, ['[ "answer to one", "answer to two" ]']);
    assertEquals(server.requestsFor("openai").length, 2);
    assert(server.requestsFor("openai").every((r) => r.model === "minimax/minimax-m2.5"));
    assertMatch(ctx.errText(), /sub-model openrouter:minimax\/minimax-m2\.5: 2 prompts, 2 calls/);
    server.assertNoFailures();
  } finally {
    await server.close();
  }
});

Deno.test("repl prints a [retry] line when a sub-model call is retried, none when quiet", async () => {
  for (const quiet of [false, true]) {
    const server = await startFakeModelServer();
    server.enqueueFor("openai", { fault: { status: 503 } }, { text: "fine" });
    try {
      const ctx = capturedContext(SAMPLE, server.env());
      const code = await runRepl(
        options({ quiet, evals: ["print(await llm_query('x'))"] }),
        ctx,
        { input: input([]), createRepl },
      );
      assertEquals(code, 0, ctx.errText());
      assertEquals(ctx.out, ["fine"]);
      const retries = ctx.errText().split("\n").filter((l) => l.startsWith("[retry]"));
      assertEquals(
        retries.map((l) => l.replace(/ in .*$/, "")),
        quiet ? [] : ["[retry] openrouter minimax/minimax-m2.5: status 503; retry 1/3"],
      );
      server.assertNoFailures();
    } finally {
      await server.close();
    }
  }
});

Deno.test("repl computes without a sub-model key; llm_query then answers with an error item", async () => {
  const ctx = capturedContext(SAMPLE, {});
  const code = await runRepl(
    options({ evals: ["print(Object.keys(codebase).length > 0)", "await llm_query('x')"] }),
    ctx,
    { input: input([]), createRepl },
  );
  assertEquals(code, 0, ctx.errText());
  assertEquals(ctx.out[0], "true");
  assertMatch(ctx.out[1], /^\[ERROR: .*OPENROUTER_API_KEY/);
});

Deno.test("deeprepo repl as a process: outputs on stdout, a timeout on stderr, exit 1", async () => {
  const result = await runCliProcess([
    "repl",
    SAMPLE,
    "-q",
    "--exec-timeout",
    "1",
    "--eval",
    "print(metadata.repo_name)",
    "--eval",
    "while (true) {}",
    "--eval",
    "print('after', typeof codebase)",
  ]);
  assertEquals(result.stdout, "sample_project\nafter object\n");
  assertStringIncludes(result.stderr, "execution timed out after 1 s; the REPL was restarted");
  assertEquals(result.code, 1);
});

Deno.test("repl at the interactive prompt: Ctrl-C stops the running code and the session goes on", async () => {
  const ctx = capturedContext(SAMPLE);
  const handlers = new Set<() => boolean>();
  ctx.interceptInterrupt = (handler) => {
    handlers.add(handler);
    return () => handlers.delete(handler);
  };
  const pressCtrlC = () => [...handlers].map((h) => h()); // what main.ts does on SIGINT
  const answered: string[] = [];
  const code = await runRepl(options(), ctx, {
    input: input(["while (true) {}", "print('still here')"]),
    createRepl: () =>
      Promise.resolve({
        execute(code: string) {
          answered.push(code);
          const base = {
            outputChars: 0,
            answer: { content: "", ready: false },
            elapsedMs: 1,
            subQueryMs: 0,
          };
          if (code.startsWith("while")) {
            // The person presses Ctrl-C while the loop runs; the terminal also ends the REPL.
            assertEquals(pressCtrlC(), [true]);
            assertEquals(pressCtrlC(), [false], "a second Ctrl-C must end the session");
            return Promise.resolve({
              ...base,
              output: "",
              fatal: { kind: "crash" as const, message: "the REPL process ended (signal SIGINT)" },
            });
          }
          return Promise.resolve({ ...base, output: "still here\n" });
        },
        close: () => Promise.resolve(),
      }),
    subQueries: noSubQueries,
  });
  assertEquals(answered, ["while (true) {}", "print('still here')"]);
  assertEquals(ctx.out, ["still here"]);
  assertStringIncludes(
    ctx.errText(),
    "interrupted; the REPL was restarted and its variables are gone",
  );
  assertEquals(handlers.size, 0, "the handler is released after the execution");
  assertEquals(code, 0, "the session itself ended normally (end of input)");
});
