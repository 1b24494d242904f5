/**
 * Ctrl-C keeps everything paid for, however deeprepo was started (#16 item 2). Under
 * `deno task`, one press arrives twice: the terminal signals the whole foreground process group
 * and `deno task` forwards its own SIGINT to the child.
 */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { createInterruptHandler, SAME_PRESS_MS } from "../../lib/cli/interrupts.ts";
import { REPO_ROOT } from "../_helpers/run_cli.ts";
import { hasScript, runInPty, shellQuote } from "../_helpers/pty.ts";
import { type RecordedRequest, startFakeModelServer } from "../fakes/model_server.ts";

function recorder() {
  const events: string[] = [];
  let clock = 0;
  const handler = createInterruptHandler({
    abort: () => events.push("abort"),
    exit: (code) => events.push(`exit ${code}`),
    now: () => clock,
  });
  return { events, handler, advance: (ms: number) => clock += ms };
}

Deno.test("one Ctrl-C delivered twice within milliseconds aborts once and does not exit", () => {
  const { events, handler, advance } = recorder();
  handler.onSignal();
  advance(4);
  handler.onSignal();
  assertEquals(events, ["abort"]);
  advance(SAME_PRESS_MS + 1);
  handler.onSignal();
  assertEquals(events, ["abort", "exit 130"], "a real second press leaves at once");
});

Deno.test("an interceptor takes a press; its duplicate is not a second press", () => {
  const { events, handler, advance } = recorder();
  let taken = 0;
  const release = handler.intercept(() => ++taken === 1);
  handler.onSignal();
  advance(3);
  handler.onSignal();
  assertEquals([taken, events], [1, []], "the duplicate never reaches the interceptor");
  release();
  advance(1000);
  handler.onSignal();
  assertEquals(events, ["abort"]);
});

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

function turnOf(req: RecordedRequest): number {
  const messages = (req.body.messages ?? []) as { role: string }[];
  return messages.filter((m) => m.role === "assistant").length + 1;
}

Deno.test("Ctrl-C under `deno task --config <checkout>/deno.json` from another folder writes everything", async () => {
  if (!await hasScript()) {
    console.log("skipped: util-linux `script` is not installed (no pseudo-terminal)");
    return;
  }
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_task_sigint_" });
  try {
    const code = "const paths = Object.keys(codebase).sort();\n" +
      "const reviews = await llm_batch(paths.map((p) => 'Review ' + p + '\\n' + codebase[p]));\n" +
      "print(reviews.length);";
    server.handler(
      (req) =>
        turnOf(req) === 1
          ? { toolCalls: [{ name: "execute_code", input: { code } }] }
          : { fault: { stall: true } },
      "anthropic",
    );
    server.handler(() => ({ text: "no issues", usage: { input: 100, output: 10 } }), "openai");
    await Deno.mkdir(`${dir}/elsewhere`);
    const command = [
      "deno",
      "task",
      "-q",
      "--config",
      `${REPO_ROOT}/deno.json`,
      "deeprepo",
      "analyze",
      FIXTURE,
      "-o",
      "out",
    ].map(shellQuote).join(" ");
    const result = await runInPty(command, {
      cwd: `${dir}/elsewhere`,
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache`, NO_COLOR: "1" },
      async drive(type) {
        const deadline = Date.now() + 90_000;
        while (server.requestsFor("anthropic").length < 2 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        await type("\x03"); // the terminal's Ctrl-C: SIGINT to the foreground process group
      },
      timeoutMs: 120_000,
    });
    const screen = result.screen.replaceAll("\r\n", "\n");
    assertEquals(result.code, 130, screen);
    assertMatch(screen, /deeprepo: interrupted; partial results written to .*\.md\n/);
    const names = [...Deno.readDirSync(`${dir}/elsewhere/out`)].map((e) => e.name).sort();
    assertEquals(names.length, 4, names.join(", ")); // with the HTML report
    const metrics = JSON.parse(
      Deno.readTextFileSync(
        `${dir}/elsewhere/out/${names.find((n) => n.endsWith("_metrics.json"))}`,
      ),
    );
    assertEquals(metrics.stop_reason, "interrupted");
    assertEquals(metrics.sub_calls, 6, "the paid sub-model answers are kept");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C in `deno task ... repl` from another folder stops the code, not the session", async () => {
  const bash = await Deno.stat("/bin/bash").then(() => true, () => false);
  if (!await hasScript() || !bash) {
    console.log("skipped: util-linux `script` or /bin/bash is not installed");
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_task_repl_sigint_" });
  try {
    await Deno.mkdir(`${dir}/elsewhere`);
    const command = ["deno", "task", "-q", "--config", `${REPO_ROOT}/deno.json`, "deeprepo"]
      .concat(["repl", FIXTURE]).map(shellQuote).join(" ") + "; echo rc=$?";
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const result = await runInPty(command, {
      cwd: `${dir}/elsewhere`,
      env: { XDG_DATA_HOME: `${dir}/data`, NO_COLOR: "1", SHELL: "/bin/bash" },
      async drive(type) {
        await wait(5000);
        await type("while (true) {}\r");
        await wait(2000);
        await type("\x03");
        await wait(3000);
        await type('print("still here")\r');
        await wait(1500);
        await type(".exit\r");
      },
      timeoutMs: 60_000,
    });
    const screen = result.screen.replaceAll("\r\n", "\n");
    assertMatch(screen, /interrupted; the REPL was restarted/);
    assertMatch(screen, /\nstill here\n/);
    // deeprepo's own status (a shell that saw the SIGINT may end with 130 itself).
    assertMatch(screen, /\nrc=0\n/, "`.exit` after an interrupted execution ends normally");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
